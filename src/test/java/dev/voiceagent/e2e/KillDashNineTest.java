package dev.voiceagent.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeElevenLabs;
import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.fakes.FakeTwilioRest;
import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.Database;
import dev.voiceagent.store.PostgresCallStore;
import dev.voiceagent.store.TurnRecord;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

/**
 * The real server process killed with SIGKILL in the middle of a call: every finished turn is already in
 * the database, and the next server start closes the cut-off call and still sends it to the CRM.
 */
class KillDashNineTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Duration QUIET = Duration.ofMillis(700);

    @Test
    void turnsSurviveAKillAndTheCutOffCallStillReachesTheCrm() throws Exception {
        Path personas = Files.createTempFile("personas", ".yaml");
        Files.writeString(personas, AgentHarness.DEFAULT_PERSONAS);
        int port = ServerProcess.freePort();
        String callSid = AgentHarness.newCallSid();
        String databaseUrl;
        Instant startedAt;
        try (FakeCloudflare cloudflare = new FakeCloudflare("cf-account", "cf-token");
             FakeElevenLabs elevenLabs = new FakeElevenLabs("el-key");
             FakeTwilioRest twilio = new FakeTwilioRest(AgentHarness.ACCOUNT_SID, AgentHarness.AUTH_TOKEN)) {
            cloudflare.queueTranscripts("I would like to book an appointment for next Tuesday.");
            cloudflare.queueReplies("Sure. What time works for you?");
            Map<String, String> env = AgentHarness.environment(port, cloudflare, elevenLabs, twilio, personas);
            databaseUrl = env.get("DATABASE_URL");
            try (ServerProcess server = ServerProcess.start(env, port, WAIT);
                 Database db = Database.open(Optional.of(databaseUrl), Path.of("unused"))) {
                PostgresCallStore store = new PostgresCallStore(db.client());
                try (FakeTwilioCaller caller = server.call(callSid, "+15551230009")) {
                    assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
                    caller.speak(clip("book_appointment"));
                    assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
                    assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
                    AgentHarness.await(() -> store.call(callSid).map(d -> d.turns().size() == 3).orElse(false),
                                       WAIT, "turns stored");

                    server.process.destroyForcibly();   // SIGKILL: no shutdown hook, no flush
                    assertThat(server.process.waitFor(10, TimeUnit.SECONDS), is(true));
                }
                CallDetail afterKill = store.call(callSid).orElseThrow();
                startedAt = afterKill.call().startedAt();
                assertThat(afterKill.call().status(), is("in_progress"));
                assertThat(afterKill.turns().stream().map(TurnRecord::text).toList(),
                           contains("Hello, how can I help?", "I would like to book an appointment for next Tuesday.",
                                    "Sure. What time works for you?"));
            }
        } finally {
            Files.deleteIfExists(personas);
        }

        // The next start finds the call cut off (its persona allows 6 s calls) and sends what was stored.
        long untilStale = Instant.now().until(startedAt.plusSeconds(7), ChronoUnit.MILLIS);
        if (untilStale > 0) {
            Thread.sleep(untilStale);
        }
        String shortCalls = AgentHarness.DEFAULT_PERSONAS.replace("maxCallMinutes: 5", "maxCallMinutes: 0.1");
        try (AgentHarness next = AgentHarness.start(shortCalls, Map.of("DATABASE_URL", databaseUrl),
                                                    Map.of("afterCall.staleCallMarginMs", "0"))) {
            next.cloudflare.queueJsonAnswer("{\"summary\":\"The caller wanted an appointment; the call dropped.\",\"facts\":{}}");
            CallDetail delivered = next.awaitStoredCall(callSid, d -> AfterCallTest.delivered(d, "gohighlevel"),
                                                        "the cut-off call delivered");
            assertThat(delivered.call().status(), is("abandoned"));
            assertThat(next.ghl.notes().size(), is(1));
            assertThat(next.ghl.tagsAdded().getFirst().tags(), hasItem("call-dropped"));
        }
    }
}
