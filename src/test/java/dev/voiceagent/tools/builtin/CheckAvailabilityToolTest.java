package dev.voiceagent.tools.builtin;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.voiceagent.fakes.FakeGoHighLevel;
import dev.voiceagent.fakes.FakeVendorServer.ReceivedRequest;
import dev.voiceagent.fakes.Fault;
import dev.voiceagent.tools.ToolFailure;
import dev.voiceagent.tools.ToolOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.voiceagent.tools.builtin.Fixture.CALENDAR;
import static dev.voiceagent.tools.builtin.Fixture.NOW;
import static dev.voiceagent.tools.builtin.Fixture.args;
import static dev.voiceagent.tools.builtin.Fixture.chicago;
import static dev.voiceagent.tools.builtin.Fixture.phoneCall;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/** check_availability: free slots from GoHighLevel, in the persona's time zone, as the model reads them aloud. */
class CheckAvailabilityToolTest {

    private FakeGoHighLevel ghl;
    private CheckAvailabilityTool tool;

    @BeforeEach
    void start() {
        ghl = Fixture.ghl();
        tool = new CheckAvailabilityTool(Fixture.client(ghl), CALENDAR, Fixture.SETTINGS, Fixture.CLOCK);
    }

    @AfterEach
    void stop() {
        ghl.close();
    }

    @Test
    void freeSlotsComeInThePersonasZoneWithSpokenLabelsAndNoneInThePast() throws Exception {
        ghl.openSlots(CALENDAR, List.of(chicago(2, 8, 0), chicago(3, 10, 30), chicago(3, 10, 0), chicago(5, 14, 0)));

        JsonNode result = result(tool.run(args("{}"), phoneCall()));

        assertThat(result.path("timeZone").asText(), is("America/Chicago"));
        assertThat(result.path("slots").size(), is(3));
        assertThat(result.path("slots").get(0).path("start").asText(), is("2026-03-03T10:00:00-06:00"));
        assertThat(result.path("slots").get(0).path("label").asText(), is("Tuesday, March 3 at 10:00 AM"));
        assertThat(result.path("slots").get(2).path("label").asText(), is("Thursday, March 5 at 2:00 PM"));
        assertThat(result.path("moreAvailable").asBoolean(), is(false));
    }

    @Test
    void theRequestFollowsTheCalendarsApi() throws Exception {
        ghl.openSlots(CALENDAR, List.of(chicago(3, 10, 0)));

        tool.run(args("{}"), phoneCall());

        ReceivedRequest request = ghl.requests(FakeGoHighLevel.FREE_SLOTS).getFirst();
        assertThat(request.method(), is("GET"));
        assertThat(request.uri().getRawPath(), is("/calendars/" + CALENDAR + "/free-slots"));
        assertThat(request.header("Version"), is("2021-04-15"));
        assertThat(request.header("Authorization"), is("Bearer " + Fixture.TOKEN));
        long end = chicago(16, 0, 0).toInstant().toEpochMilli(); // 14 days after today, at midnight (CDT by then)
        assertThat(Fixture.query(request.uri().getRawQuery()), is(Map.of(
                "startDate", String.valueOf(NOW.toEpochMilli()), "endDate", String.valueOf(end),
                "timezone", "America/Chicago")));
    }

    @Test
    void atMostMaxSlotsAreOfferedAndTheModelIsToldThereAreMore() throws Exception {
        ghl.openSlots(CALENDAR, List.of(chicago(3, 9, 0), chicago(3, 10, 0), chicago(3, 11, 0), chicago(3, 12, 0),
                                        chicago(3, 13, 0), chicago(3, 14, 0), chicago(3, 15, 0), chicago(3, 16, 0)));

        JsonNode result = result(tool.run(args("{}"), phoneCall()));

        assertThat(result.path("slots").size(), is(6));
        assertThat(result.path("moreAvailable").asBoolean(), is(true));
    }

    @Test
    void aDayAsksFromThatDaysStart() throws Exception {
        ghl.openSlots(CALENDAR, List.of(chicago(3, 10, 0), chicago(9, 8, 0)));

        JsonNode result = result(tool.run(args("{\"date\":\"2026-03-09\"}"), phoneCall()));

        assertThat(result.path("slots").get(0).path("label").asText(), is("Monday, March 9 at 8:00 AM"));
        assertThat(result.path("slots").size(), is(1));
        assertThat(Fixture.query(ghl.requests(FakeGoHighLevel.FREE_SLOTS).getFirst().uri().getRawQuery())
                .get("startDate"), is(String.valueOf(chicago(9, 0, 0).toInstant().toEpochMilli())));
    }

    @Test
    void aPastOrMalformedDayIsRefusedInPlainWordsWithoutARequest() throws Exception {
        ToolOutcome past = tool.run(args("{\"date\":\"2026-03-01\"}"), phoneCall());
        ToolOutcome garbled = tool.run(args("{\"date\":\"next tuesday\"}"), phoneCall());

        assertThat(failure(past).reason(), is(ToolFailure.BAD_ARGUMENTS));
        assertThat(failure(past).message(), containsString("passed"));
        assertThat(failure(garbled).reason(), is(ToolFailure.BAD_ARGUMENTS));
        assertThat(failure(garbled).message(), containsString("YYYY-MM-DD"));
        assertThat(ghl.requestCount(FakeGoHighLevel.FREE_SLOTS), is(0));
    }

    @Test
    void noFreeTimeIsAnEmptyListTheModelCanSayAloud() throws Exception {
        ghl.openSlots(CALENDAR, List.of(chicago(2, 8, 0)));

        JsonNode result = result(tool.run(args("{}"), phoneCall()));

        assertThat(result.path("slots").size(), is(0));
        assertThat(result.path("message").asText(), containsString("no free times"));
    }

    @Test
    void aRefusedTokenIsAVendorError() throws Exception {
        CheckAvailabilityTool wrong = new CheckAvailabilityTool(
                new dev.voiceagent.crm.GoHighLevelClient(ghl.baseUri(), "wrong", Fixture.LOCATION,
                                                         Fixture.REQUEST_TIMEOUT, Duration.ofSeconds(2)),
                CALENDAR, Fixture.SETTINGS, Fixture.CLOCK);

        ToolOutcome outcome = wrong.run(args("{}"), phoneCall());

        assertThat(failure(outcome).reason(), is(ToolFailure.VENDOR_ERROR));
        assertThat(failure(outcome).message(), containsString("refused"));
    }

    @Test
    void aServerErrorOrAnUnknownCalendarIsAVendorError() throws Exception {
        ghl.openSlots(CALENDAR, List.of(chicago(3, 10, 0)));
        ghl.failNext(FakeGoHighLevel.FREE_SLOTS, Fault.status(503));

        ToolOutcome outcome = tool.run(args("{}"), phoneCall());
        ToolOutcome unknown = new CheckAvailabilityTool(Fixture.client(ghl), "noSuchCalendar", Fixture.SETTINGS,
                                                        Fixture.CLOCK).run(args("{}"), phoneCall());

        assertThat(failure(outcome).reason(), is(ToolFailure.VENDOR_ERROR));
        assertThat(failure(unknown).reason(), is(ToolFailure.VENDOR_ERROR));
    }

    @Test
    void aSlowCalendarTimesOut() throws Exception {
        ghl.openSlots(CALENDAR, List.of(chicago(3, 10, 0)));
        ghl.latency(Fixture.SLOW);
        CheckAvailabilityTool impatient = new CheckAvailabilityTool(Fixture.impatientClient(ghl), CALENDAR,
                                                                    Fixture.SETTINGS, Fixture.CLOCK);

        long started = System.nanoTime();
        ToolOutcome outcome = impatient.run(args("{}"), phoneCall());

        assertThat(failure(outcome).reason(), is(ToolFailure.TIMED_OUT));
        assertThat((System.nanoTime() - started) / 1_000_000L, lessThan(Fixture.SLOW.toMillis()));
    }

    @Test
    void aRateLimitWithAShortRetryAfterIsWaitedForOnce() throws Exception {
        ghl.openSlots(CALENDAR, List.of(chicago(3, 10, 0)));
        ghl.retryAfter(Duration.ofSeconds(1));
        ghl.failNext(FakeGoHighLevel.FREE_SLOTS, Fault.status(429));

        JsonNode result = result(tool.run(args("{}"), phoneCall()));

        assertThat(result.path("slots").size(), is(1));
        assertThat(ghl.requestCount(FakeGoHighLevel.FREE_SLOTS), is(2));
    }

    @Test
    void aRateLimitLongerThanTheCallerCanWaitFailsAtOnce() throws Exception {
        ghl.openSlots(CALENDAR, List.of(chicago(3, 10, 0)));
        ghl.failNext(FakeGoHighLevel.FREE_SLOTS, Fault.reply(429, "application/json",
                "{\"statusCode\":429,\"message\":\"Too Many Requests\"}", Map.of("Retry-After", "30")));

        long started = System.nanoTime();
        ToolOutcome outcome = tool.run(args("{}"), phoneCall());
        ToolOutcome next = tool.run(args("{}"), phoneCall()); // the client's own hold: refused without a request

        assertThat(failure(outcome).reason(), is(ToolFailure.VENDOR_ERROR));
        assertThat(failure(outcome).message(), containsString("busy"));
        assertThat(failure(next).reason(), is(ToolFailure.VENDOR_ERROR));
        assertThat(ghl.requestCount(FakeGoHighLevel.FREE_SLOTS), is(1));
        assertThat("no wait for a 30 s Retry-After", (System.nanoTime() - started) / 1_000_000L, lessThan(10_000L));
    }

    static JsonNode result(ToolOutcome outcome) {
        assertThat(outcome.toString(), outcome, instanceOf(ToolOutcome.Result.class));
        return ((ToolOutcome.Result) outcome).content();
    }

    static ToolOutcome.Failed failure(ToolOutcome outcome) {
        assertThat(outcome.toString(), outcome, instanceOf(ToolOutcome.Failed.class));
        return (ToolOutcome.Failed) outcome;
    }
}
