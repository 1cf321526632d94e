package dev.voiceagent.tools.builtin;

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

/** cancel_appointment: the caller's upcoming appointment is found through their contact and marked cancelled. */
class CancelAppointmentToolTest {

    private FakeGoHighLevel ghl;
    private GoHighLevelClient client;
    private CancelAppointmentTool tool;
    private String contactId;

    @BeforeEach
    void start() {
        ghl = Fixture.ghl();
        client = Fixture.client(ghl);
        tool = new CancelAppointmentTool(client, client, Optional.empty(), Fixture.SETTINGS, Fixture.CLOCK);
        contactId = client.upsertContact(new Contact(CALLER, Optional.of("Jane Doe"), "voice agent"));
    }

    @AfterEach
    void stop() {
        ghl.close();
    }

    @Test
    void theOnlyUpcomingAppointmentIsCancelledAndKeptWithItsHistory() throws Exception {
        ghl.seedAppointment(CALENDAR, contactId, chicago(1, 10, 0), "confirmed", "Old visit");      // past
        ghl.seedAppointment(CALENDAR, contactId, chicago(4, 9, 0), "cancelled", "Cancelled before"); // cancelled
        String upcoming = ghl.seedAppointment(CALENDAR, contactId, chicago(5, 15, 30), "confirmed", "Cleaning");

        JsonNode result = result(tool.run(args("{}"), phoneCall()));

        assertThat(result.path("cancelled").asBoolean(), is(true));
        assertThat(result.path("label").asText(), is("Thursday, March 5 at 3:30 PM"));
        ReceivedRequest edit = ghl.requests(FakeGoHighLevel.EDIT_APPOINTMENT).getFirst();
        assertThat(edit.method(), is("PUT"));
        assertThat(edit.uri().getRawPath(), is("/calendars/events/appointments/" + upcoming));
        assertThat(edit.header("Version"), is("2021-04-15"));
        assertThat(JSON.readTree(edit.body()), is(JSON.readTree("{\"appointmentStatus\":\"cancelled\"}")));
        assertThat(status(upcoming), is("cancelled"));
        assertThat(ghl.appointments().size(), is(3));
        assertThat(ghl.requests(FakeGoHighLevel.CONTACT_APPOINTMENTS).getFirst().header("Version"), is("2021-07-28"));
        assertThat(ghl.contactCount(), is(1));
    }

    @Test
    void timesWithAnOffsetAreReadToo() throws Exception {
        ghl.appointmentTimesWithOffset(true);
        String upcoming = ghl.seedAppointment(CALENDAR, contactId, chicago(5, 15, 30), "confirmed", "Cleaning");

        JsonNode result = result(tool.run(args("{}"), phoneCall()));

        assertThat(result.path("start").asText(), is("2026-03-05T15:30:00-06:00"));
        assertThat(status(upcoming), is("cancelled"));
    }

    @Test
    void withSeveralUpcomingTheModelGetsTheListAndThenNamesOne() throws Exception {
        String first = ghl.seedAppointment(CALENDAR, contactId, chicago(5, 15, 30), "confirmed", "Cleaning");
        String second = ghl.seedAppointment(CALENDAR, contactId, chicago(10, 9, 0), "new", "Checkup");

        JsonNode list = result(tool.run(args("{}"), phoneCall()));
        JsonNode done = result(tool.run(args("{\"start\":\"2026-03-10T09:00:00-05:00\"}"), phoneCall()));

        assertThat(list.path("cancelled").asBoolean(), is(false));
        assertThat(list.path("appointments").size(), is(2));
        assertThat(list.path("appointments").get(1).path("label").asText(), is("Tuesday, March 10 at 9:00 AM"));
        assertThat(done.path("cancelled").asBoolean(), is(true));
        assertThat(status(first), is("confirmed"));
        assertThat(status(second), is("cancelled"));
        assertThat(ghl.requestCount(FakeGoHighLevel.EDIT_APPOINTMENT), is(1));
    }

    @Test
    void aStartThatMatchesNoAppointmentCancelsNothing() throws Exception {
        String only = ghl.seedAppointment(CALENDAR, contactId, chicago(5, 15, 30), "confirmed", "Cleaning");

        JsonNode result = result(tool.run(args("{\"start\":\"2026-03-05T16:00\"}"), phoneCall()));

        assertThat(result.path("cancelled").asBoolean(), is(false));
        assertThat(result.path("appointments").size(), is(1));
        assertThat(status(only), is("confirmed"));
    }

    @Test
    void noUpcomingAppointmentIsSaidPlainly() throws Exception {
        ghl.seedAppointment(CALENDAR, contactId, chicago(1, 10, 0), "confirmed", "Old visit");

        JsonNode result = result(tool.run(args("{}"), phoneCall()));

        assertThat(result.path("cancelled").asBoolean(), is(false));
        assertThat(result.path("message").asText(), containsString("no upcoming appointment"));
        assertThat(ghl.requestCount(FakeGoHighLevel.EDIT_APPOINTMENT), is(0));
    }

    @Test
    void theCalendarOptionLimitsWhichAppointmentsCount() throws Exception {
        String elsewhere = ghl.seedAppointment("otherCalendar1", contactId, chicago(5, 15, 30), "confirmed", "Spa");
        String ours = ghl.seedAppointment(CALENDAR, contactId, chicago(6, 11, 0), "confirmed", "Cleaning");
        CancelAppointmentTool scoped = new CancelAppointmentTool(client, client, Optional.of(CALENDAR),
                                                                 Fixture.SETTINGS, Fixture.CLOCK);

        result(scoped.run(args("{}"), phoneCall()));

        assertThat(status(elsewhere), is("confirmed"));
        assertThat(status(ours), is("cancelled"));
    }

    @Test
    void anUnreadableStartOrNoCallerNumberIsRefusedWithoutARequest() throws Exception {
        int before = ghl.requestCount(FakeGoHighLevel.UPSERT);

        ToolOutcome garbled = tool.run(args("{\"start\":\"the one on thursday\"}"), phoneCall());
        ToolOutcome web = tool.run(args("{}"), Fixture.webPhoneCall());

        assertThat(failure(garbled).reason(), is(ToolFailure.BAD_ARGUMENTS));
        assertThat(failure(web).reason(), is(ToolFailure.UNAVAILABLE));
        assertThat(ghl.requestCount(FakeGoHighLevel.UPSERT), is(before));
    }

    @Test
    void aFailedCancelOrListIsAVendorError() throws Exception {
        String upcoming = ghl.seedAppointment(CALENDAR, contactId, chicago(5, 15, 30), "confirmed", "Cleaning");
        ghl.failNext(FakeGoHighLevel.EDIT_APPOINTMENT, Fault.status(502));
        ghl.failNext(FakeGoHighLevel.CONTACT_APPOINTMENTS, Fault.status(401));

        ToolOutcome listFailed = tool.run(args("{}"), phoneCall());
        ToolOutcome cancelFailed = tool.run(args("{}"), phoneCall());

        assertThat(failure(listFailed).reason(), is(ToolFailure.VENDOR_ERROR));
        assertThat(failure(cancelFailed).reason(), is(ToolFailure.VENDOR_ERROR));
        assertThat(status(upcoming), is("confirmed"));
    }

    @Test
    void aSlowCancelTimesOut() throws Exception {
        ghl.seedAppointment(CALENDAR, contactId, chicago(5, 15, 30), "confirmed", "Cleaning");
        ghl.failAlways(FakeGoHighLevel.EDIT_APPOINTMENT, Fault.delay(Fixture.SLOW));
        GoHighLevelClient impatient = Fixture.impatientClient(ghl);

        ToolOutcome outcome = new CancelAppointmentTool(impatient, impatient, Optional.empty(), Fixture.SETTINGS,
                                                        Fixture.CLOCK).run(args("{}"), phoneCall());

        assertThat(failure(outcome).reason(), is(ToolFailure.TIMED_OUT));
    }

    private String status(String appointmentId) {
        return ghl.appointments().stream().filter(a -> a.path("id").asText().equals(appointmentId)).findFirst()
                .orElseThrow().path("appointmentStatus").asText();
    }
}
