package dev.voiceagent.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.fakes.TcpProxy;
import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.StoreException;
import dev.voiceagent.store.TestDatabase;
import dev.voiceagent.store.TurnRecord;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A database that is down when the server starts does not stop it: calls are answered with storage degraded,
 * the server connects (and migrates) once the database is back, and what the calls said is stored then.
 * Misconfiguration (wrong user, no such database) still stops startup.
 */
class DatabaseDownAtStartTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration QUIET = Duration.ofMillis(700);

    @Test
    void startsWithTheDatabaseDownAndStoresTheCallOnceItIsBack() throws Exception {
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", TestDatabase.port())) {
            proxy.cut();
            String viaProxy = TestDatabase.throughPort(TestDatabase.fresh("down_at_start"), proxy.port());
            try (AgentHarness h = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, Map.of("DATABASE_URL", viaProxy),
                                                     Map.of())) {
                assertThat("started, not connected", h.agent.database().connected(), is(false));
                String health = h.api("/observe/health").body();
                assertThat(health, containsString("\"storage\":{\"status\":\"DEGRADED\""));
                assertThat(health, containsString("\"connected\":false"));
                assertThat("still ready for calls", h.api("/observe/health/ready").statusCode(), is(200));

                h.cloudflare.queueTranscripts("I would like to book an appointment for next Tuesday.");
                h.cloudflare.queueReplies("Sure. What time works for you?");
                FakeTwilioCaller caller = h.call();
                assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
                caller.speak(clip("book_appointment"));
                assertThat("the agent answers", caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT),
                           greaterThan(0L));
                assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
                caller.stop();

                proxy.restore();
                assertThat("connected in the background", h.agent.database().awaitConnected(Duration.ofSeconds(40)),
                           is(true));
                CallDetail stored = awaitStored(h, caller.callSid());
                assertThat(stored.turns().stream().map(TurnRecord::text).toList(),
                           contains("Hello, how can I help?", "I would like to book an appointment for next Tuesday.",
                                    "Sure. What time works for you?"));
                AgentHarness.await(() -> body(h).contains("\"storage\":{\"status\":\"UP\""), WAIT, "storage UP");
            }
        }
    }

    @Test
    void aUserTheDatabaseDoesNotKnowStillStopsStartup() {
        String wrongUser = TestDatabase.fresh("wrong_user").replace("user=postgres", "user=nobody_here");
        StoreException e = assertThrows(StoreException.class, () -> AgentHarness.start(
                AgentHarness.DEFAULT_PERSONAS, Map.of("DATABASE_URL", wrongUser), Map.of()).close());
        assertThat(e.getMessage(), containsString("nobody_here"));
    }

    @Test
    void aDatabaseThatDoesNotExistStillStopsStartup() {
        String url = TestDatabase.fresh("exists");
        String missing = url.replaceFirst("/t_[a-z0-9_]+\\?", "/no_such_database?");
        assertThat(missing.contains("no_such_database"), is(true));
        StoreException e = assertThrows(StoreException.class, () -> AgentHarness.start(
                AgentHarness.DEFAULT_PERSONAS, Map.of("DATABASE_URL", missing), Map.of()).close());
        assertThat(e.getMessage(), containsString("no_such_database"));
    }

    private static CallDetail awaitStored(AgentHarness h, String callSid) {
        CallDetail[] found = new CallDetail[1];
        AgentHarness.await(() -> {
            try {
                Optional<CallDetail> d = h.agent.store().call(callSid);
                d.ifPresent(c -> found[0] = c);
                return d.isPresent() && d.get().call().status().equals("completed") && d.get().turns().size() == 3;
            } catch (StoreException e) {
                return false;
            }
        }, Duration.ofSeconds(20), "the call stored once the database is back");
        return found[0];
    }

    private static String body(AgentHarness h) {
        try {
            return h.api("/observe/health").body();
        } catch (Exception e) {
            return List.of(e.toString()).getFirst();
        }
    }
}
