package dev.voiceagent.e2e;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeGoHighLevel;
import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.fakes.FakeWebhookReceiver;
import dev.voiceagent.store.CallClosed;
import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.CallOpened;
import dev.voiceagent.store.CallStore;
import dev.voiceagent.store.TestDatabase;
import dev.voiceagent.store.TurnRecord;
import dev.voiceagent.twilio.TwilioSignature;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/**
 * Two server instances behind one PostgreSQL (a real server, shared through {@code DATABASE_URL}), both talking to
 * the same vendors: a call answered by one instance and streamed to the other goes through and is stored once, and
 * the after-call outbox is worked by both while every call reaches GoHighLevel and the webhook exactly once.
 */
class MultipleInstancesTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Duration QUIET = Duration.ofMillis(700);

    @Test
    void aCallAnsweredByOneInstanceAndStreamedToTheOtherIsHeldAndStoredOnceAndItsTokenIsSpent() throws Exception {
        String databaseUrl = TestDatabase.fresh("multi_socket");
        try (AgentHarness a = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, Map.of("DATABASE_URL", databaseUrl), Map.of());
             AgentHarness b = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, sameVendorsAs(a, databaseUrl), Map.of())) {
            a.cloudflare.queueTranscripts("I would like to book an appointment for next Tuesday.");
            a.cloudflare.queueReplies("Sure. What time works for you?");
            a.cloudflare.queueJsonAnswer("{\"summary\":\"Booking for Tuesday.\",\"facts\":{\"reason\":\"booking\"}}");
            String callSid = AgentHarness.newCallSid();
            Map<String, String> form = AgentHarness.voiceForm(callSid, "+15551240001");

            HttpResponse<String> answer = a.postVoiceWebhook(form, AgentHarness.sign(AgentHarness.PUBLIC_BASE_URL
                                                                                      + "/twilio/voice", form));
            assertThat(answer.statusCode(), is(200));
            AgentHarness.StreamTwiml twiml = AgentHarness.parseTwiml(answer.body());
            try (FakeTwilioCaller caller = FakeTwilioCaller.connect(
                    b.mediaUri(), Map.of("X-Twilio-Signature", new TwilioSignature(AgentHarness.AUTH_TOKEN).sign(twiml.url(), Map.of())))) {
                caller.start(callSid, twiml.parameters());
                assertThat("greeted by the instance the stream reached", caller.awaitQuiet(QUIET, WAIT), is(true));
                AgentHarness.await(() -> b.activeCalls() == 1, WAIT, "the call on instance B");
                assertThat(a.activeCalls(), is(0));
                caller.speak(clip("book_appointment"));
                assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
                assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
                caller.stop();
            }
            try (FakeTwilioCaller replay = FakeTwilioCaller.connect(
                    a.mediaUri(), Map.of("X-Twilio-Signature", new TwilioSignature(AgentHarness.AUTH_TOKEN).sign(twiml.url(), Map.of())))) {
                replay.start(callSid, twiml.parameters());
                assertThat("the token was used on the other instance", replay.awaitClosed(WAIT), is(true));
                assertThat(replay.closeCode(), is(1008));
            }

            CallDetail done = a.awaitStoredCall(callSid, d -> AfterCallTest.delivered(d, "gohighlevel")
                                                             && AfterCallTest.delivered(d, "webhook"),
                                                "the call delivered");
            assertThat(done.call().status(), is("completed"));
            assertThat(done.call().endReason().orElseThrow(), is("caller hung up"));
            assertThat(done.turns().stream().map(TurnRecord::text).toList(),
                       is(List.of("Hello, how can I help?", "I would like to book an appointment for next Tuesday.",
                                  "Sure. What time works for you?")));
            assertThat("the call is owned by the instance that held it", owner(a, callSid),
                       is(b.agent.heartbeat().instanceId()));
            assertThat(a.agent.store().calls(java.util.Optional.of("+15551240001"), 10, 0).total(), is(1L));
            assertThat(a.ghl.notes().size(), is(1));
            assertThat(a.webhook.accepted().size(), is(1));
        }
    }

    @Test
    void bothInstancesWorkTheOutboxAndEveryCallReachesTheCrmExactlyOnce() throws Exception {
        String databaseUrl = TestDatabase.fresh("multi_outbox");
        int calls = 40;
        try (AgentHarness a = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, Map.of("DATABASE_URL", databaseUrl), Map.of());
             AgentHarness b = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, sameVendorsAs(a, databaseUrl), Map.of())) {
            a.ghl.rateLimit(10_000, Duration.ofSeconds(10), 200_000);
            // Slow enough that a batch is still under way when the other instance next looks for work.
            a.ghl.latency(Duration.ofMillis(150));
            CallStore store = a.agent.store();
            Instant started = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(60);
            Map<String, String> numberOf = new HashMap<>();
            for (int i = 0; i < calls; i++) {
                String sid = String.format("CA%032d", 7_000 + i);
                String from = String.format("+1555125%04d", i);
                numberOf.put(sid, from);
                store.open(new CallOpened(sid, "MZ" + sid, from, AgentHarness.AGENT_NUMBER, "tester", started));
                store.addTurn(new TurnRecord(sid, 0, TurnRecord.Role.AGENT, "Hello, how can I help?", started,
                                             started.plusSeconds(2), false, Map.of()));
                store.close(new CallClosed(sid, started.plusSeconds(5), 5_000, "caller hung up"),
                            Instant.now().plus(Duration.ofDays(1)));
            }

            AgentHarness.await(() -> a.agent.store().backlog().values().stream().mapToLong(Long::longValue).sum() == 0
                                     && deliveredCount(a) == 3L * calls,
                               Duration.ofSeconds(40), "every call delivered");

            List<FakeGoHighLevel.Upsert> upserts = a.ghl.upserts();
            assertThat("one contact upsert per call", upserts.size(), is(calls));
            Map<String, String> phoneOfContact = upserts.stream()
                    .collect(Collectors.toMap(FakeGoHighLevel.Upsert::contactId, u -> u.body().get("phone").asText(),
                                              (x, y) -> x));
            Map<String, Long> notesPerPhone = a.ghl.notes().stream()
                    .collect(Collectors.groupingBy(n -> phoneOfContact.get(n.contactId()), Collectors.counting()));
            assertThat("one note per call, none twice", notesPerPhone.size(), is(calls));
            assertThat(Set.copyOf(notesPerPhone.values()), is(Set.of(1L)));
            assertThat(a.ghl.tagsAdded().size(), is(calls));
            assertThat(a.webhook.accepted().stream().map(FakeWebhookReceiver.Delivery::idempotencyKey).distinct().count(),
                       is((long) calls));
            assertThat(a.webhook.accepted().size(), is(calls));

            Map<String, Long> rowsByInstance = claimedBy(a);
            assertThat("both instances did part of the work: " + rowsByInstance, rowsByInstance.keySet(),
                       containsInAnyOrder(a.agent.heartbeat().instanceId(), b.agent.heartbeat().instanceId()));
            assertThat("every caller's number became a contact", Set.copyOf(phoneOfContact.values()),
                       is(Set.copyOf(numberOf.values())));
        }
    }

    /** A second instance's environment: the same database and the same (fake) vendors as {@code first}. */
    static Map<String, String> sameVendorsAs(AgentHarness first, String databaseUrl) {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", databaseUrl);
        env.put("CLOUDFLARE_API_BASE_URL", first.cloudflare.baseUrl());
        env.put("ELEVENLABS_API_BASE_URL", first.elevenLabs.baseUrl());
        env.put("TWILIO_API_BASE_URL", first.twilio.baseUrl());
        env.put("GHL_API_BASE_URL", first.ghl.baseUrl());
        env.put("CRM_WEBHOOK_URL", first.webhook.url().toString());
        return env;
    }

    static String owner(AgentHarness h, String callSid) {
        return h.agent.database().client().execute()
                .get("SELECT owner_instance FROM calls WHERE call_sid = ?", callSid)
                .map(row -> row.column("owner_instance").getString()).orElseThrow();
    }

    private static long deliveredCount(AgentHarness h) {
        return h.agent.database().client().execute()
                .get("SELECT count(*) AS n FROM deliveries WHERE status = 'delivered'")
                .map(row -> row.column("n").getLong()).orElseThrow();
    }

    /** Delivered outbox rows by the instance whose claim delivered them. */
    private static Map<String, Long> claimedBy(AgentHarness h) {
        Map<String, Long> byInstance = new HashMap<>();
        try (var rows = h.agent.database().client().execute()
                .query("SELECT claimed_by, count(*) AS n FROM deliveries WHERE status = 'delivered' GROUP BY claimed_by")) {
            rows.forEach(row -> byInstance.put(row.column("claimed_by").getString(), row.column("n").getLong()));
        }
        return byInstance;
    }
}
