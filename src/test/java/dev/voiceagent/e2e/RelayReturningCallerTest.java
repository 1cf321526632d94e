package dev.voiceagent.e2e;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Twilio speaks a ConversationRelay call's welcome greeting from the TwiML, so a returning caller is recognised
 * when the webhook is answered, as far as the number's attestation allows.
 */
class RelayReturningCallerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String EXTRACTED =
            "{\"summary\":\"Dana Reyes called to book a check-up next Tuesday.\","
            + "\"facts\":{\"name\":\"Dana Reyes\",\"reason\":\"book a check-up\"}}";

    @Test
    void aReturningCallerIsWelcomedByFullNameOnlyWhenTheNumberIsVerified() throws Exception {
        try (AgentHarness h = AgentHarness.start(RelayCalls.RELAY_PERSONAS)) {
            h.cloudflare.queueJsonAnswer(EXTRACTED);
            String first;
            try (RelayCalls.Call call = RelayCalls.call(h, "+15551230007")) {
                first = call.callSid();
                call.relay().prompt("I would like to book a check-up next Tuesday.");
                call.relay().awaitReply(WAIT);
                call.relay().hangUp();
            }
            h.awaitStoredCall(first, d -> d.call().summary().isPresent(), "the first call summarised");

            var verified = RelayCalls.answer(h, "+15551230007", "TN-Validation-Passed-A");
            assertThat(verified.getValue().attributes().get("welcomeGreeting"), is("Welcome back, Dana Reyes."));
            var unattested = RelayCalls.answer(h, "+15551230007", "TN-Validation-Passed-C");
            assertThat(unattested.getValue().attributes().get("welcomeGreeting"), is("Welcome back, Dana."));
            var stranger = RelayCalls.answer(h, "+15559990001", "TN-Validation-Passed-A");
            assertThat(stranger.getValue().attributes().get("welcomeGreeting"), is("Hello, how can I help?"));
        }
    }
}
