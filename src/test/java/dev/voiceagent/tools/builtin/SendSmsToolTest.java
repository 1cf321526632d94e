package dev.voiceagent.tools.builtin;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.voiceagent.fakes.FakeTwilioRest;
import dev.voiceagent.fakes.FakeVendorServer.ReceivedRequest;
import dev.voiceagent.fakes.Fault;
import dev.voiceagent.tools.ToolContext;
import dev.voiceagent.tools.ToolFailure;
import dev.voiceagent.tools.ToolOutcome;
import dev.voiceagent.twilio.TwilioRestCalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.voiceagent.tools.builtin.CheckAvailabilityToolTest.failure;
import static dev.voiceagent.tools.builtin.CheckAvailabilityToolTest.result;
import static dev.voiceagent.tools.builtin.Fixture.CALLER;
import static dev.voiceagent.tools.builtin.Fixture.DIALED;
import static dev.voiceagent.tools.builtin.Fixture.phoneCall;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** send_sms: a text to the caller from the dialed number through Twilio Messages. */
class SendSmsToolTest {

    private static final String ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
    private static final String AUTH_TOKEN = "twilio-auth-token-secret";
    private static final String TEXT = "Bright Smile Dental: your cleaning is booked for Tue Mar 3 at 10:30 AM. "
                                       + "Reply or call us to change it & bring your insurance card.";

    private FakeTwilioRest twilio;
    private SendSmsTool tool;

    @BeforeEach
    void start() {
        twilio = new FakeTwilioRest(ACCOUNT_SID, AUTH_TOKEN);
        twilio.ownNumbers(Set.of(DIALED));
        tool = new SendSmsTool(new TwilioRestCalls(twilio.baseUri(), ACCOUNT_SID, AUTH_TOKEN, Fixture.REQUEST_TIMEOUT),
                               Fixture.SETTINGS);
    }

    @AfterEach
    void stop() {
        twilio.close();
    }

    @Test
    void theCallerIsTextedFromTheNumberTheyDialed() throws Exception {
        JsonNode result = result(tool.run(args(TEXT), phoneCall()));

        assertThat(result.path("sent").asBoolean(), is(true));
        assertThat(result.path("status").asText(), is("queued"));
        assertThat(twilio.messages().size(), is(1));
        FakeTwilioRest.Message message = twilio.messages().getFirst();
        assertThat(message.to(), is(CALLER));
        assertThat(message.from(), is(DIALED));
        assertThat(message.body(), is(TEXT));
        ReceivedRequest request = twilio.requests(FakeTwilioRest.MESSAGES).getFirst();
        assertThat(request.uri().getRawPath(), is("/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages.json"));
        assertThat(request.header("Content-Type"), containsString("application/x-www-form-urlencoded"));
        assertThat(request.header("Authorization"), containsString("Basic "));
    }

    @Test
    void anEmptyOrOverlongTextIsRefusedNotCut() throws Exception {
        ToolOutcome empty = tool.run(args("  "), phoneCall());
        ToolOutcome overlong = tool.run(args("x".repeat(481)), phoneCall());

        assertThat(failure(empty).reason(), is(ToolFailure.BAD_ARGUMENTS));
        assertThat(failure(overlong).reason(), is(ToolFailure.BAD_ARGUMENTS));
        assertThat(failure(overlong).message(), containsString("480"));
        assertThat(twilio.requestCount(FakeTwilioRest.MESSAGES), is(0));
    }

    @Test
    void withoutACallerNumberOrAPhoneLineNoTextIsSent() throws Exception {
        ToolOutcome web = tool.run(args(TEXT), Fixture.webPhoneCall());
        ToolOutcome withheld = tool.run(args(TEXT), Fixture.withheldCaller());
        ToolOutcome noLine = tool.run(args(TEXT), new ToolContext("web-1", Optional.of(CALLER), Optional.empty(),
                                                                  "receptionist", Fixture.ZONE));

        assertThat(failure(web).reason(), is(ToolFailure.UNAVAILABLE));
        assertThat(failure(withheld).reason(), is(ToolFailure.UNAVAILABLE));
        assertThat(failure(noLine).reason(), is(ToolFailure.UNAVAILABLE));
        assertThat(twilio.requestCount(FakeTwilioRest.MESSAGES), is(0));
    }

    @Test
    void twilioRefusingIsAVendorErrorAndTheCallersNumberIsNeverLoggedInFull() throws Exception {
        twilio.ownNumbers(Set.of("+15550100999")); // the dialed number cannot send: 21606 quoting numbers
        Recorded logs = Recorded.start();
        try {
            ToolOutcome refused = tool.run(args(TEXT), phoneCall());

            assertThat(failure(refused).reason(), is(ToolFailure.VENDOR_ERROR));
            assertThat(logs.text(), containsString("21606"));
            assertThat(logs.text(), not(containsString(DIALED)));
            assertThat(logs.text(), not(containsString(CALLER)));
        } finally {
            logs.stop();
        }
    }

    @Test
    void aSuccessIsLoggedWithTheNumberRedacted() throws Exception {
        Recorded logs = Recorded.start();
        try {
            result(tool.run(args(TEXT), phoneCall()));

            assertThat(logs.text(), containsString("text message sent"));
            assertThat(logs.text(), not(containsString(CALLER)));
        } finally {
            logs.stop();
        }
    }

    @Test
    void unauthorizedServerErrorsAndRateLimitsAreVendorErrors() throws Exception {
        twilio.failNext(FakeTwilioRest.MESSAGES, Fault.status(401));
        twilio.failNext(FakeTwilioRest.MESSAGES, Fault.status(500));
        twilio.failNext(FakeTwilioRest.MESSAGES, Fault.reply(429, "application/json",
                "{\"code\":20429,\"message\":\"Too Many Requests\",\"status\":429}", Map.of("Retry-After", "60")));

        for (int i = 0; i < 3; i++) {
            assertThat(failure(tool.run(args(TEXT), phoneCall())).reason(), is(ToolFailure.VENDOR_ERROR));
        }
        assertThat(twilio.messages().size(), is(0));
    }

    @Test
    void aShortRateLimitIsWaitedForOnce() throws Exception {
        twilio.failNext(FakeTwilioRest.MESSAGES, Fault.reply(429, "application/json",
                "{\"code\":20429,\"message\":\"Too Many Requests\",\"status\":429}", Map.of("Retry-After", "1")));

        result(tool.run(args(TEXT), phoneCall()));

        assertThat(twilio.requestCount(FakeTwilioRest.MESSAGES), is(2));
        assertThat(twilio.messages().stream().map(FakeTwilioRest.Message::body).toList(), contains(TEXT));
    }

    @Test
    void aSlowTwilioTimesOut() throws Exception {
        twilio.failAlways(FakeTwilioRest.MESSAGES, Fault.delay(Fixture.SLOW));
        SendSmsTool impatient = new SendSmsTool(
                new TwilioRestCalls(twilio.baseUri(), ACCOUNT_SID, AUTH_TOKEN, Fixture.SHORT_TIMEOUT), Fixture.SETTINGS);

        assertThat(failure(impatient.run(args(TEXT), phoneCall())).reason(), is(ToolFailure.TIMED_OUT));
    }

    private static JsonNode args(String body) {
        return Fixture.JSON.createObjectNode().put("body", body);
    }

    /** Every log record of the tool package while started, formatted. */
    private static final class Recorded extends Handler {

        private final StringBuilder text = new StringBuilder();
        private final Logger logger = Logger.getLogger("dev.voiceagent");

        static Recorded start() {
            Recorded recorded = new Recorded();
            recorded.logger.addHandler(recorded);
            return recorded;
        }

        @Override
        public synchronized void publish(LogRecord record) {
            text.append(record.getMessage()).append(' ');
            if (record.getParameters() != null) {
                for (Object parameter : record.getParameters()) {
                    text.append(parameter).append(' ');
                }
            }
            text.append('\n');
        }

        synchronized String text() {
            return text.toString();
        }

        void stop() {
            logger.removeHandler(this);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
