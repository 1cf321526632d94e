package dev.voiceagent.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeGoHighLevel;
import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.fakes.Fault;
import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.DeliveryStatus;
import dev.voiceagent.store.TestDatabase;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * After a call: facts and a summary are extracted and stored, and the call reaches GoHighLevel (one contact,
 * one note, tags) and the webhook exactly once, through vendor outages and server restarts.
 */
class AfterCallTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration QUIET = Duration.ofMillis(700);
    private static final String EXTRACTED =
            "{\"summary\":\"Dana Reyes called to book a check-up next Tuesday.\","
            + "\"facts\":{\"name\":\"Dana Reyes\",\"reason\":\"book a check-up\"}}";

    @Test
    void factsAreExtractedAndTheCallReachesGoHighLevelOnceThroughRateLimitsAndOutages() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            h.cloudflare.queueJsonAnswer(EXTRACTED);
            // A 300 ms rate-limit window (GoHighLevel's is 10 s), so the 429s' asked-for waits stay short.
            h.ghl.rateLimit(100, Duration.ofMillis(300), 200_000);
            for (int status : new int[] {429, 429, 503, 503}) {
                h.ghl.failNext(FakeGoHighLevel.UPSERT, Fault.status(status));
            }
            h.ghl.failNext(FakeGoHighLevel.NOTES, Fault.status(503));
            String callSid = oneTurnCall(h, "+15551230002");

            CallDetail done = h.awaitStoredCall(callSid, d -> delivered(d, "gohighlevel") && delivered(d, "webhook"),
                                                "delivered to GoHighLevel and the webhook");
            assertThat(done.call().summary().orElseThrow(), is("Dana Reyes called to book a check-up next Tuesday."));
            assertThat(done.facts(), is(Map.of("name", "Dana Reyes", "reason", "book a check-up")));
            assertThat(status(done, "extraction").status(), is("delivered"));
            assertThat("four failed upserts and one failed note, each retried", status(done, "gohighlevel").attempts(), is(5));

            FakeCloudflare.JsonModeCall asked = h.cloudflare.jsonModeCalls().getFirst();
            assertThat(asked.schema().toString(), containsString("\"name\""));
            assertThat(asked.schema().toString(), containsString("\"reason\""));
            assertThat(asked.messages().getLast().get("content"), containsString("Caller: I would like to book"));

            assertThat("exactly one contact upsert succeeded", h.ghl.upserts().size(), is(1));
            FakeGoHighLevel.Upsert upsert = h.ghl.upserts().getFirst();
            assertThat(upsert.body().get("phone").asText(), is("+15551230002"));
            assertThat(upsert.body().get("name").asText(), is("Dana Reyes"));
            assertThat(upsert.body().get("locationId").asText(), is(AgentHarness.GHL_LOCATION));
            assertThat("upsert's tags would overwrite the contact's", upsert.body().has("tags"), is(false));

            assertThat("exactly one note", h.ghl.notes().size(), is(1));
            String note = h.ghl.notes().getFirst().note().get("body").asText();
            assertThat(note, containsString("Summary: Dana Reyes called to book a check-up next Tuesday."));
            assertThat(note, containsString("- name: Dana Reyes"));
            assertThat(note, containsString("Caller: I would like to book an appointment for next Tuesday."));
            assertThat(note, containsString("Agent: Sure. What time works for you?"));
            assertThat(h.ghl.notes().getFirst().contactId(), is(upsert.contactId()));

            List<String> tags = h.ghl.tagsAdded().stream().flatMap(t -> t.tags().stream()).toList();
            assertThat(tags, containsInAnyOrder("voice-agent", "test-line", "caller-hung-up"));

            assertThat(h.webhook.accepted().size(), is(1));
            var record = h.webhook.accepted().getFirst();
            assertThat(record.idempotencyKey(), is(callSid));
            assertThat(record.body().get("facts").get("name").asText(), is("Dana Reyes"));
            assertThat(record.body().get("transcript").size(), is(3));
        }
    }

    @Test
    void whenExtractionCannotBeMetTheCrmStillGetsTheTranscript() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            h.cloudflare.queueJsonModeFailure();
            String callSid = oneTurnCall(h, "+15551230003");
            CallDetail done = h.awaitStoredCall(callSid, d -> delivered(d, "gohighlevel"), "delivered without a summary");
            assertThat(status(done, "extraction").status(), is("failed"));
            assertThat(status(done, "extraction").lastError().orElseThrow(), containsString("JSON Mode"));
            String note = h.ghl.notes().getFirst().note().get("body").asText();
            assertThat(note, containsString("(no summary available)"));
            assertThat(note, containsString("Caller: I would like to book an appointment for next Tuesday."));
        }
    }

    @Test
    void aDeliveryStillFailingAtItsGiveUpTimeIsMarkedFailedAndStaysVisible() throws Exception {
        try (AgentHarness h = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, Map.of(),
                                                 Map.of("afterCall.giveUpAfterMs", "1500"))) {
            h.cloudflare.queueJsonAnswer(EXTRACTED);
            h.ghl.failAlways(FakeGoHighLevel.UPSERT, Fault.status(503));
            String callSid = oneTurnCall(h, "+15551230006");
            CallDetail given = h.awaitStoredCall(callSid, d -> status(d, "gohighlevel") != null
                                                              && status(d, "gohighlevel").status().equals("failed"),
                                                 "the delivery given up");
            assertThat(status(given, "gohighlevel").lastError().orElseThrow(), containsString("gave up"));
            assertThat(status(given, "gohighlevel").attempts(), greaterThan(1));
            assertThat(h.ghl.notes().size(), is(0));
            assertThat("the webhook is delivered regardless", delivered(given, "webhook"), is(true));
            String api = h.api("/calls/" + callSid).body();
            assertThat(api, containsString("\"gohighlevel\":{\"status\":\"failed\""));
        }
    }

    @Test
    void theOutboxSurvivesARestartAndStillDeliversExactlyOnce() throws Exception {
        String database = TestDatabase.fresh("outbox");
        try (FakeGoHighLevel ghl = new FakeGoHighLevel(AgentHarness.GHL_TOKEN, AgentHarness.GHL_LOCATION)) {
            Map<String, String> env = Map.of("DATABASE_URL", database, "GHL_API_BASE_URL", ghl.baseUrl());
            String callSid;
            try (AgentHarness first = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, env, Map.of())) {
                first.cloudflare.queueJsonAnswer(EXTRACTED);
                ghl.failAlways(FakeGoHighLevel.NOTES, Fault.status(503));   // contact upserted, note keeps failing
                callSid = oneTurnCall(first, "+15551230004");
                first.awaitStoredCall(callSid, d -> status(d, "gohighlevel") != null && status(d, "gohighlevel").attempts() >= 2,
                                      "GoHighLevel failing");
            }
            assertThat(ghl.upserts().size(), is(1));
            assertThat(ghl.notes().size(), is(0));
            ghl.clearFaults();
            try (AgentHarness second = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, env, Map.of())) {
                CallDetail done = second.awaitStoredCall(callSid, d -> delivered(d, "gohighlevel"), "delivered after restart");
                assertThat(done.call().summary().orElseThrow(), containsString("Dana Reyes"));
            }
            assertThat("the contact id was kept: no second upsert", ghl.upserts().size(), is(1));
            assertThat(ghl.notes().size(), is(1));
            assertThat(ghl.tagsAdded().size(), is(1));
        }
    }

    @Test
    void aReturningCallerWithAVerifiedNumberIsGreetedByNameAndTheAgentKnowsTheirLastCalls() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            h.cloudflare.queueJsonAnswer(EXTRACTED);
            String first = oneTurnCall(h, "+15551230005");
            h.awaitStoredCall(first, d -> d.call().summary().isPresent(), "first call summarised");

            h.cloudflare.queueTranscripts("Hi, it's me again about Tuesday.");
            h.cloudflare.queueReplies("Of course, Dana.");
            FakeTwilioCaller caller = h.call("+15551230005", "TN-Validation-Passed-A");
            AgentHarness.await(() -> h.elevenLabs.ttsCalls().stream().anyMatch(t -> t.text().equals("Welcome back, Dana Reyes.")),
                               WAIT, "a greeting by name");
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
            caller.speak(clip("yes_thanks"));
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            String systemPrompt = h.cloudflare.chatCalls().getLast().messages().getFirst().get("content");
            assertThat(systemPrompt, containsString("Dana Reyes called to book a check-up next Tuesday."));
            assertThat(systemPrompt, containsString("name=\"Dana Reyes\""));
            caller.stop();

            FakeTwilioCaller stranger = h.call("+15559990000");
            assertThat(stranger.awaitQuiet(QUIET, WAIT), is(true));
            assertThat(h.elevenLabs.ttsCalls().stream().filter(t -> t.text().startsWith("Welcome back")).count(), is(1L));
        }
    }

    @Test
    void aReturningCallerWhoseNumberIsNotAttestedGetsAtMostAFirstNameGreetingAndNoPastCalls() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            h.cloudflare.queueJsonAnswer(EXTRACTED);
            String first = oneTurnCall(h, "+15551230006");
            h.awaitStoredCall(first, d -> d.call().summary().isPresent(), "first call summarised");

            h.cloudflare.queueTranscripts("Hi, it's me again about Tuesday.");
            h.cloudflare.queueReplies("Of course.");
            FakeTwilioCaller caller = h.call("+15551230006", "TN-Validation-Passed-C");
            AgentHarness.await(() -> h.elevenLabs.ttsCalls().stream().anyMatch(t -> t.text().equals("Welcome back, Dana.")),
                               WAIT, "a first-name greeting");
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
            assertThat("no full name for a number anyone could spoof",
                       h.elevenLabs.ttsCalls().stream().noneMatch(t -> t.text().contains("Dana Reyes")), is(true));
            caller.speak(clip("yes_thanks"));
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            String systemPrompt = h.cloudflare.chatCalls().getLast().messages().getFirst().get("content");
            assertThat(systemPrompt, not(containsString("Dana Reyes called to book a check-up next Tuesday.")));
            caller.stop();
        }
    }

    /** A call with one exchange, hung up by the caller; returns its sid. */
    static String oneTurnCall(AgentHarness h, String from) throws Exception {
        h.cloudflare.queueTranscripts("I would like to book an appointment for next Tuesday.");
        h.cloudflare.queueReplies("Sure. What time works for you?");
        FakeTwilioCaller caller = h.call(from);
        assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
        caller.speak(clip("book_appointment"));
        assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
        assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
        caller.stop();
        return caller.callSid();
    }

    static DeliveryStatus status(CallDetail d, String target) {
        return d.deliveries().stream().filter(s -> s.target().equals(target)).findFirst().orElse(null);
    }

    static boolean delivered(CallDetail d, String target) {
        DeliveryStatus s = status(d, target);
        return s != null && s.status().equals("delivered");
    }
}
