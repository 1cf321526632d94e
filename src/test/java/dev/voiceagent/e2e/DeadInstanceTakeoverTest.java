package dev.voiceagent.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.TestDatabase;
import dev.voiceagent.store.TurnRecord;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

/**
 * Two instances on one database; the one holding a call is killed with SIGKILL mid-call. The survivor notices the
 * missing heartbeats, marks the call abandoned with every turn that was stored, and delivers it to the CRM once,
 * within a bound set by the instance settings (here short; about 50 s with the defaults), not the persona's
 * longest allowed call.
 */
class DeadInstanceTakeoverTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    /** A JVM starting on a busy machine. */
    private static final Duration START_WAIT = Duration.ofSeconds(40);
    private static final Duration QUIET = Duration.ofMillis(700);
    private static final Duration HEARTBEAT = Duration.ofMillis(500);
    private static final Duration DEAD_AFTER = Duration.ofMillis(3000);

    @Test
    void theCallsOfAKilledInstanceAreAbandonedAndDeliveredByTheSurvivor() throws Exception {
        String databaseUrl = TestDatabase.fresh("dead_instance");
        Path personas = Files.createTempFile("personas", ".yaml");
        Files.writeString(personas, AgentHarness.DEFAULT_PERSONAS);
        Map<String, String> instanceSettings = Map.of("instances.heartbeatMs", Long.toString(HEARTBEAT.toMillis()),
                                                      "instances.deadAfterMs", Long.toString(DEAD_AFTER.toMillis()));
        try (AgentHarness survivor = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, Map.of("DATABASE_URL", databaseUrl),
                                                        instanceSettings)) {
            int port = ServerProcess.freePort();
            Map<String, String> env = AgentHarness.environment(port, survivor.cloudflare, survivor.elevenLabs,
                                                               survivor.twilio, personas);
            env.putAll(MultipleInstancesTest.sameVendorsAs(survivor, databaseUrl));
            env.put("GHL_API_KEY", AgentHarness.GHL_TOKEN);
            env.put("GHL_LOCATION_ID", AgentHarness.GHL_LOCATION);
            env.put("INSTANCE_HEARTBEAT_MS", Long.toString(HEARTBEAT.toMillis()));
            env.put("INSTANCE_DEAD_AFTER_MS", Long.toString(DEAD_AFTER.toMillis()));
            survivor.cloudflare.queueTranscripts("My sink is leaking, can someone come today?");
            survivor.cloudflare.queueReplies("Yes. What is your address?");
            survivor.cloudflare.queueJsonAnswer("{\"summary\":\"Leaking sink; the call dropped.\",\"facts\":{}}");
            String callSid = AgentHarness.newCallSid();
            long killedAt;
            try (ServerProcess doomed = ServerProcess.start(env, port, START_WAIT);
                 FakeTwilioCaller caller = doomed.call(callSid, "+15551260001")) {
                long callStarted = System.nanoTime();
                assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
                caller.speak(clip("book_appointment"));
                assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
                assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
                survivor.awaitStoredCall(callSid, d -> d.turns().size() == 3, "the turns stored");
                String owner = MultipleInstancesTest.owner(survivor, callSid);
                assertThat(owner, not(survivor.agent.heartbeat().instanceId()));

                // Held past the dead-instance deadline while its instance lives: a heartbeating instance keeps its call.
                long heldFor = System.nanoTime() - callStarted;
                if (heldFor < DEAD_AFTER.plus(HEARTBEAT).toNanos()) {
                    Thread.sleep(Duration.ofNanos(DEAD_AFTER.plus(HEARTBEAT).toNanos() - heldFor));
                }
                assertThat(survivor.agent.store().call(callSid).orElseThrow().call().status(), is("in_progress"));

                doomed.process.destroyForcibly();   // SIGKILL: no shutdown hook, nothing marked
                assertThat(doomed.process.waitFor(10, TimeUnit.SECONDS), is(true));
                killedAt = System.nanoTime();
            }

            CallDetail delivered = survivor.awaitStoredCall(callSid, d -> AfterCallTest.delivered(d, "gohighlevel"),
                                                            "the killed instance's call delivered");
            long tookMs = (System.nanoTime() - killedAt) / 1_000_000;
            assertThat("taken over within the dead-instance deadline plus a heartbeat, plus delivery", tookMs,
                       lessThan(DEAD_AFTER.plus(HEARTBEAT).toMillis() + 8_000));
            assertThat(delivered.call().status(), is("abandoned"));
            assertThat(delivered.call().endReason().orElseThrow(), is("server stopped"));
            // The greeting as heard: a stall of the separate server process under load can let the caller's speech
            // start before it ended (a barge-in keeps what was heard); what matters here is that every turn survived.
            List<String> turns = delivered.turns().stream().map(TurnRecord::text).toList();
            assertThat(turns.size(), is(3));
            assertThat("Hello, how can I help?".startsWith(turns.get(0)), is(true));
            assertThat(turns.subList(1, 3), contains("My sink is leaking, can someone come today?",
                                                     "Yes. What is your address?"));
            assertThat(delivered.call().summary().orElseThrow(), is("Leaking sink; the call dropped."));
            assertThat(survivor.ghl.notes().size(), is(1));
            assertThat(survivor.ghl.tagsAdded().getFirst().tags(), hasItem("call-dropped"));
            AgentHarness.await(() -> survivor.webhook.accepted().size() == 1, WAIT, "the webhook delivered");
        } finally {
            Files.deleteIfExists(personas);
        }
    }
}
