package dev.voiceagent.tools.builtin;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.voiceagent.crm.Contact;
import dev.voiceagent.crm.GoHighLevelClient;
import dev.voiceagent.fakes.FakeGoHighLevel;
import dev.voiceagent.fakes.FakeVendorServer.ReceivedRequest;
import dev.voiceagent.fakes.Fault;
import dev.voiceagent.tools.ToolFailure;
import dev.voiceagent.tools.ToolOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.voiceagent.tools.builtin.CheckAvailabilityToolTest.failure;
import static dev.voiceagent.tools.builtin.CheckAvailabilityToolTest.result;
import static dev.voiceagent.tools.builtin.Fixture.CALENDAR;
import static dev.voiceagent.tools.builtin.Fixture.CALLER;
import static dev.voiceagent.tools.builtin.Fixture.JSON;
import static dev.voiceagent.tools.builtin.Fixture.args;
import static dev.voiceagent.tools.builtin.Fixture.chicago;
import static dev.voiceagent.tools.builtin.Fixture.phoneCall;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** book_appointment: a free slot booked for the caller's one contact, or a plain refusal. */
class BookAppointmentToolTest {

    private FakeGoHighLevel ghl;
    private GoHighLevelClient client;
    private BookAppointmentTool tool;

    @BeforeEach
    void start() {
        ghl = Fixture.ghl();
        client = Fixture.client(ghl);
        tool = new BookAppointmentTool(client, client, CALENDAR, Fixture.SETTINGS, Fixture.CLOCK);
        ghl.openSlots(CALENDAR, List.of(chicago(3, 10, 0), chicago(3, 10, 30), chicago(3, 14, 0)));
    }

    @AfterEach
    void stop() {
        ghl.close();
    }

    @Test
    void aFreeSlotIsBookedForTheCallersContact() throws Exception {
        JsonNode result = result(tool.run(args("""
                {"start":"2026-03-03T10:30:00-06:00","reason":"cleaning","name":"Jane Doe"}"""), phoneCall()));

        assertThat(result.path("booked").asBoolean(), is(true));
        assertThat(result.path("label").asText(), is("Tuesday, March 3 at 10:30 AM"));
        JsonNode appointment = ghl.appointments().getFirst();
        assertThat(result.path("appointmentId").asText(), is(appointment.path("id").asText()));
        FakeGoHighLevel.Upsert upsert = ghl.upserts().getFirst();
        assertThat(upsert.body().path("phone").asText(), is(CALLER));
        assertThat(upsert.body().path("name").asText(), is("Jane Doe"));
        assertThat(upsert.body().path("source").asText(), is("voice agent"));
        ReceivedRequest create = ghl.requests(FakeGoHighLevel.CREATE_APPOINTMENT).getFirst();
        assertThat(create.header("Version"), is("2021-04-15"));
        assertThat(JSON.readTree(create.body()), is(JSON.readTree("""
                {"calendarId":"%s","locationId":"%s","contactId":"%s","startTime":"2026-03-03T10:30:00-06:00",
                 "endTime":"2026-03-03T11:00:00-06:00","title":"Cleaning (booked by phone)",
                 "appointmentStatus":"confirmed"}""".formatted(CALENDAR, Fixture.LOCATION, upsert.contactId()))));
    }

    @Test
    void aLocalTimeIsTakenInThePersonasZone() throws Exception {
        JsonNode result = result(tool.run(args("{\"start\":\"2026-03-03T14:00\"}"), phoneCall()));

        assertThat(result.path("start").asText(), is("2026-03-03T14:00:00-06:00"));
        assertThat(ghl.appointments().getFirst().path("title").asText(), is("Appointment (booked by phone)"));
    }

    @Test
    void oneCallerHasOneContactHoweverOftenTheyBookAndWhateverTheAfterCallPushDoes() throws Exception {
        result(tool.run(args("{\"start\":\"2026-03-03T10:00:00-06:00\",\"name\":\"Jane Doe\"}"), phoneCall()));
        result(tool.run(args("{\"start\":\"2026-03-03T14:00:00-06:00\"}"), phoneCall()));
        // the after-call push files the call under the same upsert
        String pushed = client.upsertContact(new Contact(CALLER, Optional.of("Jane Doe"), "voice agent"));

        assertThat(ghl.contactCount(), is(1));
        assertThat(ghl.appointments().get(0).path("contactId").asText(), is(pushed));
        assertThat(ghl.appointments().get(1).path("contactId").asText(), is(pushed));
        assertThat(ghl.contact(pushed).orElseThrow().path("name").asText(), is("Jane Doe"));
    }

    @Test
    void aTimeNotAmongTheFreeSlotsIsRefusedWithTheDaysFreeTimes() throws Exception {
        ToolOutcome outcome = tool.run(args("{\"start\":\"2026-03-03T11:00:00-06:00\"}"), phoneCall());

        assertThat(failure(outcome).reason(), is(ToolFailure.BAD_ARGUMENTS));
        assertThat(failure(outcome).message(), is("Tuesday, March 3 at 11:00 AM is not free; free times that day:"
                                                  + " 10:00 AM, 10:30 AM, 2:00 PM"));
        assertThat(ghl.requestCount(FakeGoHighLevel.UPSERT), is(0));
        assertThat(ghl.appointments().size(), is(0));
    }

    @Test
    void aSlotTakenSinceItWasOfferedIsRefused() throws Exception {
        result(tool.run(args("{\"start\":\"2026-03-03T10:00:00-06:00\"}"), phoneCall()));

        ToolOutcome again = tool.run(args("{\"start\":\"2026-03-03T10:00:00-06:00\"}"), phoneCall());

        assertThat(failure(again).reason(), is(ToolFailure.BAD_ARGUMENTS));
        assertThat(failure(again).message(), not(containsString("10:00 AM,")));
        assertThat(ghl.appointments().size(), is(1));
    }

    @Test
    void aPastOrUnreadableTimeIsRefusedWithoutARequest() throws Exception {
        ToolOutcome past = tool.run(args("{\"start\":\"2026-03-02T08:00:00-06:00\"}"), phoneCall());
        ToolOutcome garbled = tool.run(args("{\"start\":\"tuesday at ten\"}"), phoneCall());
        ToolOutcome missing = tool.run(args("{}"), phoneCall());

        assertThat(failure(past).reason(), is(ToolFailure.BAD_ARGUMENTS));
        assertThat(failure(past).message(), containsString("already passed"));
        assertThat(failure(garbled).reason(), is(ToolFailure.BAD_ARGUMENTS));
        assertThat(failure(missing).reason(), is(ToolFailure.BAD_ARGUMENTS));
        assertThat(ghl.requestCount(FakeGoHighLevel.FREE_SLOTS) + ghl.requestCount(FakeGoHighLevel.UPSERT), is(0));
    }

    @Test
    void withoutACallerNumberNothingCanBeBooked() throws Exception {
        ToolOutcome web = tool.run(args("{\"start\":\"2026-03-03T10:00:00-06:00\"}"), Fixture.webPhoneCall());
        ToolOutcome withheld = tool.run(args("{\"start\":\"2026-03-03T10:00:00-06:00\"}"), Fixture.withheldCaller());

        assertThat(failure(web).reason(), is(ToolFailure.UNAVAILABLE));
        assertThat(failure(withheld).reason(), is(ToolFailure.UNAVAILABLE));
        assertThat(ghl.contactCount(), is(0));
    }

    @Test
    void aFailedCreateIsAVendorErrorAndIsNotRetried() throws Exception {
        ghl.failNext(FakeGoHighLevel.CREATE_APPOINTMENT, Fault.status(500));

        ToolOutcome outcome = tool.run(args("{\"start\":\"2026-03-03T10:00:00-06:00\"}"), phoneCall());

        assertThat(failure(outcome).reason(), is(ToolFailure.VENDOR_ERROR));
        assertThat(ghl.requestCount(FakeGoHighLevel.CREATE_APPOINTMENT), is(1));
        assertThat(ghl.appointments().size(), is(0));
    }

    @Test
    void aRefusedTokenIsAVendorError() throws Exception {
        GoHighLevelClient wrong = new GoHighLevelClient(ghl.baseUri(), "wrong", Fixture.LOCATION,
                                                        Fixture.REQUEST_TIMEOUT, Duration.ofSeconds(2));

        ToolOutcome outcome = new BookAppointmentTool(wrong, wrong, CALENDAR, Fixture.SETTINGS, Fixture.CLOCK)
                .run(args("{\"start\":\"2026-03-03T10:00:00-06:00\"}"), phoneCall());

        assertThat(failure(outcome).reason(), is(ToolFailure.VENDOR_ERROR));
    }

    @Test
    void aSlowBookingSystemTimesOut() throws Exception {
        GoHighLevelClient impatient = Fixture.impatientClient(ghl);
        ghl.failAlways(FakeGoHighLevel.CREATE_APPOINTMENT, Fault.delay(Fixture.SLOW));

        ToolOutcome outcome = new BookAppointmentTool(impatient, impatient, CALENDAR, Fixture.SETTINGS, Fixture.CLOCK)
                .run(args("{\"start\":\"2026-03-03T10:00:00-06:00\"}"), phoneCall());

        assertThat(failure(outcome).reason(), is(ToolFailure.TIMED_OUT));
    }

    @Test
    void aRateLimitedUpsertIsWaitedForWithinTheBudget() throws Exception {
        ghl.retryAfter(Duration.ofSeconds(1));
        ghl.failNext(FakeGoHighLevel.UPSERT, Fault.status(429));

        JsonNode result = result(tool.run(args("{\"start\":\"2026-03-03T10:00:00-06:00\"}"), phoneCall()));

        assertThat(result.path("booked").asBoolean(), is(true));
        assertThat(ghl.requestCount(FakeGoHighLevel.UPSERT), is(2));
    }
}
