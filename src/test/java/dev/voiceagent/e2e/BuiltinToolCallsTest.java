package dev.voiceagent.e2e;

import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeCloudflare.ToolCallForm;
import dev.voiceagent.fakes.FakeCloudflare.ToolTurn;
import dev.voiceagent.fakes.FakeGoHighLevel;
import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.fakes.FakeTwilioRest;
import dev.voiceagent.fakes.Fault;
import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.ToolCallRecord;
import dev.voiceagent.store.TurnRecord;
import org.junit.jupiter.api.Test;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * Whole calls over real sockets with the built-in tools, against the fake GoHighLevel calendar and the fake Twilio
 * REST API: a booking (availability, booking under the caller's one contact, a confirming text), a cold transfer
 * (handoff line, call update with {@code <Dial>}, the stream ends as transferred, the CRM hears of it), and a caller
 * talking over the filler of a slow calendar without losing the tool's result.
 */
class BuiltinToolCallsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration QUIET = Duration.ofMillis(700);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CALENDAR = "calFrontDesk01";
    private static final ZoneId ZONE = ZoneId.of("America/Chicago");
    private static final String CALLER = "+15557654321";
    private static final String FRONT_DESK = "+15550109999";
    private static final String FILLER = "One moment please, while I look at the calendar for you.";
    private static final String TRANSFER_LINE = "Putting you through to the front desk now.";

    private static final String ASK = "Can I come in on Thursday morning?";
    private static final String CONFIRM = "Yes, book it please. My name is Jane Doe.";

    private static final String PERSONAS = AgentHarness.DEFAULT_PERSONAS + """
                timezone: America/Chicago
                tools:
                  - builtin: check_availability
                    calendarId: %s
                  - builtin: book_appointment
                    calendarId: %s
                  - builtin: send_sms
                  - builtin: transfer_call
                    to: "%s"
                    mode: cold
                toolPhrases: { filler: "%s", transfer: "%s" }
            """.formatted(CALENDAR, CALENDAR, FRONT_DESK, FILLER, TRANSFER_LINE);

    /** Two free mornings the day after tomorrow (always in the future and within the look-ahead). */
    private static List<OffsetDateTime> openTwoSlots(AgentHarness h) {
        LocalDate day = LocalDate.now(ZONE).plusDays(2);
        List<OffsetDateTime> slots = List.of(day.atTime(10, 0).atZone(ZONE).toOffsetDateTime(),
                                             day.atTime(10, 30).atZone(ZONE).toOffsetDateTime());
        h.ghl.openSlots(CALENDAR, slots);
        return slots;
    }

    // ---- the scripted model: it reads the conversation it is sent, as a real one would

    private static Map<String, String> last(FakeCloudflare.ChatCall call) {
        return call.messages().getLast();
    }

    private static boolean lastIs(FakeCloudflare.ChatCall call, String role) {
        return role.equals(last(call).get("role"));
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError("a tool message that is not JSON: " + json, e);
        }
    }

    /** The first free slot the model was given by check_availability in this conversation. */
    private static JsonNode firstOfferedSlot(FakeCloudflare.ChatCall call) {
        return call.messages().stream()
                .filter(m -> "tool".equals(m.get("role")) && m.get("content").contains("\"slots\""))
                .map(m -> parse(m.get("content")).path("slots").path(0))
                .findFirst().orElseThrow(() -> new AssertionError("no availability in the conversation"));
    }

    private static ToolTurn tool(String name, String arguments) {
        return ToolTurn.of(ToolCallForm.LEGACY, name, arguments);
    }

    /** A time as the tools label it for the caller (README: "Tuesday, March 3 at 10:00 AM"). */
    private static String label(OffsetDateTime time) {
        return DateTimeFormatter.ofPattern("EEEE, MMMM d 'at' h:mm a", Locale.US).format(time.atZoneSameInstant(ZONE));
    }

    private static List<String> agentTurns(CallDetail d) {
        return d.turns().stream().filter(t -> t.role() == TurnRecord.Role.AGENT).map(TurnRecord::text).toList();
    }

    private static List<String> tools(CallDetail d) {
        return d.toolCalls().stream().map(ToolCallRecord::tool).toList();
    }

    private static void say(FakeTwilioCaller caller, String clipName) {
        caller.speak(clip(clipName));
        assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
        caller.awaitQuiet(QUIET, WAIT);
    }

    @Test
    void aCallerBooksTheOfferedTimeUnderOneContactAndGetsATextConfirmingIt() throws Exception {
        try (AgentHarness h = AgentHarness.start(PERSONAS)) {
            List<OffsetDateTime> slots = openTwoSlots(h);
            h.cloudflare.queueTranscripts(ASK, CONFIRM);
            h.cloudflare.toolCaller(call -> {
                if (lastIs(call, "user") && ASK.equals(last(call).get("content"))) {
                    return Optional.of(tool("check_availability", "{}"));
                }
                if (lastIs(call, "user") && CONFIRM.equals(last(call).get("content"))) {
                    return Optional.of(tool("book_appointment", JSON.createObjectNode()
                            .put("start", firstOfferedSlot(call).path("start").asText())
                            .put("reason", "cleaning").put("name", "Jane Doe").toString()));
                }
                if (lastIs(call, "tool") && parse(last(call).get("content")).path("booked").asBoolean()) {
                    return Optional.of(tool("send_sms", JSON.createObjectNode().put("body",
                            "Your cleaning is booked for " + parse(last(call).get("content")).path("label").asText()
                            + ". Reply to this number to change it.").toString()));
                }
                return Optional.empty();
            });
            h.cloudflare.replier(call -> {
                if (lastIs(call, "tool") && last(call).get("content").contains("\"slots\"")) {
                    return "I have " + firstOfferedSlot(call).path("label").asText() + ". Shall I book it?";
                }
                if (lastIs(call, "tool") && parse(last(call).get("content")).path("sent").asBoolean()) {
                    return "You're all set, and I've texted you the details.";
                }
                return "Sorry, something went wrong.";
            });
            FakeTwilioCaller caller = h.call(CALLER);
            caller.awaitQuiet(QUIET, WAIT);

            say(caller, "book_appointment");
            say(caller, "yes_thanks");

            String offered = "I have " + label(slots.getFirst()) + ". Shall I book it?";
            CallDetail during = h.awaitStoredCall(caller.callSid(),
                    d -> agentTurns(d).contains("You're all set, and I've texted you the details."),
                    "the booking confirmed");
            assertThat(agentTurns(during), hasItem(offered));
            // synthesized sentence by sentence
            assertThat(h.elevenLabs.ttsCalls().stream().map(c -> c.text()).toList(),
                       hasItems("I have " + label(slots.getFirst()) + ".", "Shall I book it?"));
            assertThat(tools(during), is(List.of("check_availability", "book_appointment", "send_sms")));
            during.toolCalls().forEach(c -> assertThat(c.tool() + " " + c.failure(), c.outcome(), is("result")));

            // One appointment, at the offered time, under the caller's contact.
            assertThat(h.ghl.appointments().size(), is(1));
            JsonNode appointment = h.ghl.appointments().getFirst();
            assertThat(h.ghl.contactCount(), is(1));
            String contactId = h.ghl.upserts().getFirst().contactId();
            assertThat(h.ghl.contact(contactId).orElseThrow().path("phone").asText(), is(CALLER));
            assertThat(appointment.path("calendarId").asText(), is(CALENDAR));
            assertThat(appointment.path("contactId").asText(), is(contactId));
            assertThat(OffsetDateTime.parse(appointment.path("startTime").asText()).toInstant(),
                       is(slots.getFirst().toInstant()));

            // One text, from the number the caller dialed, to the caller.
            assertThat(h.twilio.messages().size(), is(1));
            FakeTwilioRest.Message text = h.twilio.messages().getFirst();
            assertThat(text.from(), is(AgentHarness.AGENT_NUMBER));
            assertThat(text.to(), is(CALLER));
            assertThat(text.body(), is("Your cleaning is booked for " + label(slots.getFirst())
                                       + ". Reply to this number to change it."));

            // The call API shows the three calls with their outcomes and results.
            JsonNode shown = JSON.readTree(h.api("/calls/" + caller.callSid()).body()).path("toolCalls");
            assertThat(shown.size(), is(3));
            assertThat(shown.path(0).path("tool").asText(), is("check_availability"));
            assertThat(shown.path(0).path("result").path("slots").size(), is(2));
            assertThat(shown.path(1).path("tool").asText(), is("book_appointment"));
            assertThat(shown.path(1).path("arguments").path("name").asText(), is("Jane Doe"));
            assertThat(shown.path(1).path("result").path("appointmentId").asText(), is(appointment.path("id").asText()));
            assertThat(shown.path(2).path("tool").asText(), is("send_sms"));
            assertThat(shown.path(2).path("result").path("sent").asBoolean(), is(true));
            for (JsonNode c : shown) {
                assertThat(c.path("outcome").asText(), is("result"));
            }

            // The after-call push files the call under the same contact: still one.
            caller.stop();
            AgentHarness.await(() -> !h.ghl.notes().isEmpty(), WAIT, "the after-call push");
            assertThat(h.ghl.contactCount(), is(1));
            assertThat("the booking's upsert, then the push's", h.ghl.upserts().size(), is(2));
            assertThat(h.ghl.upserts().getLast().contactId(), is(contactId));
            assertThat(h.ghl.notes().getFirst().contactId(), is(contactId));
            assertThat(caller.protocolErrors(), empty());
        }
    }

    @Test
    void aColdTransferSaysTheHandoffLineDialsTheFrontDeskAndEndsTheStreamAsTransferred() throws Exception {
        try (AgentHarness h = AgentHarness.start(PERSONAS)) {
            h.cloudflare.queueTranscripts("Can I talk to a person, please?");
            h.cloudflare.toolCaller(call -> lastIs(call, "user") ? Optional.of(tool("transfer_call", "{}"))
                    : Optional.empty());
            h.cloudflare.replier(call -> "unused");
            FakeTwilioCaller caller = h.call(CALLER);
            caller.awaitQuiet(QUIET, WAIT);

            long playedBefore = caller.playedAudioBytes();
            caller.speak(clip("book_appointment"));
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            assertThat("the call was moved", h.twilio.awaitUpdate(caller.callSid(), WAIT), is(true));

            // The whole handoff line was played before the call was moved (the move waits for its mark).
            assertThat(caller.playedAudioBytes() - playedBefore,
                       greaterThanOrEqualTo((long) h.elevenLabs.audioBytesFor(TRANSFER_LINE)));
            FakeTwilioRest.CallUpdate update = h.twilio.updates().getFirst();
            assertThat(update.callSid(), is(caller.callSid()));
            String twiml = update.form().get("Twiml");
            assertThat(twiml, containsString("<Dial"));
            assertThat(twiml, containsString("callerId=\"" + AgentHarness.AGENT_NUMBER + "\""));
            assertThat(twiml, containsString("<Number>" + FRONT_DESK + "</Number>"));

            // Twilio stops the stream it redirected away from; the server ends its side.
            caller.stop();
            assertThat(caller.awaitClosed(WAIT), is(true));
            CallDetail stored = h.awaitStoredCall(caller.callSid(), d -> d.call().endReason().isPresent(), "the call ended");
            assertThat(stored.call().endReason(), is(Optional.of("transferred to a person")));
            assertThat(agentTurns(stored), hasItem(TRANSFER_LINE));
            assertThat(stored.toolCalls().getFirst().tool(), is("transfer_call"));
            assertThat(stored.toolCalls().getFirst().outcome(), is("transfer"));
            assertThat(h.twilio.updates().size(), is(1));

            AgentHarness.await(() -> h.ghl.tagsAdded().stream().anyMatch(t -> t.tags().contains("call-transferred"))
                                     || h.ghl.upserts().stream().anyMatch(u -> u.body().path("tags").toString()
                                             .contains("call-transferred")),
                               WAIT, "the CRM push tagged call-transferred");
            assertThat(caller.protocolErrors(), empty());
        }
    }

    @Test
    void twiliosStopArrivingWhileTheMoveIsStillInFlightEndsTheCallAsTransferredNotHungUp() throws Exception {
        try (AgentHarness h = AgentHarness.start(PERSONAS)) {
            // Twilio stops the stream as it redirects the call, which can be before its answer to the update arrives.
            h.twilio.failAlways(FakeTwilioRest.CALLS, Fault.delay(Duration.ofMillis(1500)));
            h.cloudflare.queueTranscripts("Can I talk to a person, please?");
            h.cloudflare.toolCaller(call -> lastIs(call, "user") ? Optional.of(tool("transfer_call", "{}"))
                    : Optional.empty());
            FakeTwilioCaller caller = h.call(CALLER);
            caller.awaitQuiet(QUIET, WAIT);

            caller.speak(clip("book_appointment"));
            AgentHarness.await(() -> h.twilio.requestCount(FakeTwilioRest.CALLS) == 1, WAIT, "the move requested");
            caller.stop();

            assertThat(caller.awaitClosed(WAIT), is(true));
            CallDetail stored = h.awaitStoredCall(caller.callSid(), d -> d.call().endReason().isPresent(), "the call ended");
            assertThat(stored.call().endReason(), is(Optional.of("transferred to a person")));
            assertThat("the move was answered", h.twilio.awaitUpdate(caller.callSid(), WAIT), is(true));
            assertThat("the moved call was not hung up", h.twilio.requestCount(FakeTwilioRest.CALLS), is(1));
        }
    }

    @Test
    void talkingOverTheFillerOfASlowCalendarCutsItButKeepsTheResultForTheNextAnswer() throws Exception {
        try (AgentHarness h = AgentHarness.start(PERSONAS)) {
            List<OffsetDateTime> slots = openTwoSlots(h);
            h.ghl.failAlways(FakeGoHighLevel.FREE_SLOTS, Fault.delay(Duration.ofMillis(1500)));
            String interruption = "Wait, actually, do you have anything in the morning?";
            h.cloudflare.queueTranscripts(ASK, interruption);
            h.cloudflare.toolCaller(call -> lastIs(call, "user") && ASK.equals(last(call).get("content"))
                    ? Optional.of(tool("check_availability", "{}")) : Optional.empty());
            h.cloudflare.replier(call -> {
                boolean knowsSlots = call.messages().stream()
                        .anyMatch(m -> "tool".equals(m.get("role")) && m.get("content").contains("\"slots\""));
                if (lastIs(call, "user") && interruption.equals(last(call).get("content"))) {
                    return knowsSlots ? "Yes, " + firstOfferedSlot(call).path("label").asText() + " is free."
                            : "I don't know yet.";
                }
                return "I have " + firstOfferedSlot(call).path("label").asText() + ".";
            });
            FakeTwilioCaller caller = h.call(CALLER);
            caller.awaitQuiet(QUIET, WAIT);

            caller.speak(clip("book_appointment"));
            long filler = caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT);
            assertThat("the filler plays while the calendar is slow", filler, greaterThan(0L));
            // Let a few words of it play first (one word is ~0.2 s here): what was heard is kept by words, and a cut
            // within the first word would leave nothing heard to store, on a busy machine now and then.
            Thread.sleep(400);
            int clearsBefore = caller.clearCount();
            long talking = System.nanoTime();
            caller.speakAsync(clip("interruption"));
            AgentHarness.await(() -> caller.clearCount() > clearsBefore, WAIT, "the filler cut");
            assertThat("the filler was cut within a second",
                       (caller.clearReceivedNanos() - talking) / 1_000_000, lessThan(1000L));

            // The tool still finished and its result was kept, and stored.
            CallDetail stored = h.awaitStoredCall(caller.callSid(),
                    d -> agentTurns(d).stream().anyMatch(t -> t.startsWith("Yes, ")), "the interruption answered");
            ToolCallRecord availability = stored.toolCalls().getFirst();
            assertThat(availability.tool(), is("check_availability"));
            assertThat(availability.outcome(), is("result"));
            assertThat(JSON.readTree(availability.result()).path("slots").size(), is(2));
            assertThat(availability.durationMs(), greaterThan(1400L));

            // The next answer was made knowing the slots: the request for it carried the tool's result.
            FakeCloudflare.ChatCall next = h.cloudflare.chatCalls().stream()
                    .filter(c -> lastIs(c, "user") && interruption.equals(last(c).get("content")))
                    .findFirst().orElseThrow();
            assertThat(next.messages().stream().anyMatch(m -> "tool".equals(m.get("role"))
                                                              && m.get("content").contains("\"slots\"")), is(true));
            String answer = "Yes, " + label(slots.getFirst()) + " is free.";
            assertThat(agentTurns(stored), hasItem(answer));
            // What was heard of the filler is stored once, cut, and not said again.
            List<TurnRecord> fillers = stored.turns().stream()
                    .filter(t -> t.role() == TurnRecord.Role.AGENT
                                 && FILLER.startsWith(t.text().replace("—", "").strip()))
                    .toList();
            assertThat(fillers.size(), is(1));
            assertThat(fillers.getFirst().interrupted(), is(true));
            assertThat(fillers.getFirst().text().length(), lessThan(FILLER.length()));
            assertThat(caller.protocolErrors(), empty());
        }
    }

    /**
     * A web phone call has no numbers whatever its page sends: numbers named in its start parameters reach neither
     * the call record nor the tools, so {@code send_sms} cannot text them.
     */
    @Test
    void aWebCallCannotTextTheNumbersItsPageNames() throws Exception {
        try (AgentHarness h = AgentHarness.start(PERSONAS)) {
            h.cloudflare.queueTranscripts(ASK);
            h.cloudflare.toolCaller(call -> lastIs(call, "user")
                    ? Optional.of(tool("send_sms", "{\"body\":\"Your visit is booked.\"}")) : Optional.empty());
            h.cloudflare.replier(call -> "I can't send a text from here.");
            String callSid = WebPhoneCallTest.webCallSid();
            try (FakeTwilioCaller caller = FakeTwilioCaller.connect(WebPhoneCallTest.socketUri(h),
                                                                   Map.of("Cookie", new ConsoleClient(h).session()))) {
                caller.start(callSid, Map.of("persona", "tester", "from", CALLER, "to", AgentHarness.AGENT_NUMBER));
                assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
                say(caller, "book_appointment");
                CallDetail d = h.awaitStoredCall(callSid, x -> x.toolCalls().size() == 1, "the send_sms call stored");
                assertThat(d.toolCalls().getFirst().tool(), is("send_sms"));
                assertThat(d.toolCalls().getFirst().failure(), is(Optional.of("unavailable")));
                assertThat(d.call().from(), is(""));
            }
            assertThat("nothing was texted", h.twilio.messages(), is(empty()));
        }
    }
}
