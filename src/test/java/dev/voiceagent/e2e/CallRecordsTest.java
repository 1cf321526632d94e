package dev.voiceagent.e2e;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.fakes.TcpProxy;
import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.TestDatabase;
import dev.voiceagent.store.TurnRecord;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;

/** Every call and turn is stored as it happens, and a database outage neither breaks a call nor loses a turn. */
class CallRecordsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration QUIET = Duration.ofMillis(700);

    @Test
    void turnsAreStoredWhileTheCallGoesOnAndTheCallIsClosedWhenItEnds() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            h.cloudflare.queueTranscripts("I would like to book an appointment for next Tuesday.");
            h.cloudflare.queueReplies("Sure. What time works for you?");
            FakeTwilioCaller caller = h.call("+15551230001");
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
            caller.speak(clip("book_appointment"));
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));

            // Still on the line: the turns are already in the database.
            CallDetail during = h.awaitStoredCall(caller.callSid(), d -> d.turns().size() == 3, "three turns stored mid-call");
            assertThat(during.call().status(), is("in_progress"));
            assertThat(during.call().from(), is("+15551230001"));
            assertThat(during.call().personaId(), is("tester"));
            assertThat(during.turns().stream().map(TurnRecord::role).toList(),
                       contains(TurnRecord.Role.AGENT, TurnRecord.Role.CALLER, TurnRecord.Role.AGENT));
            assertThat(during.turns().stream().map(TurnRecord::text).toList(),
                       contains("Hello, how can I help?", "I would like to book an appointment for next Tuesday.",
                                "Sure. What time works for you?"));
            TurnRecord answer = during.turns().get(2);
            assertThat(answer.timingsMs(), hasKey("stt"));
            assertThat(answer.timingsMs(), hasKey("voiceToVoice"));
            assertThat(answer.interrupted(), is(false));
            TurnRecord asked = during.turns().get(1);
            assertThat("the caller's turn spans their speech", asked.endedAt().isAfter(asked.startedAt()), is(true));

            caller.stop();
            CallDetail after = h.awaitStoredCall(caller.callSid(), d -> d.call().status().equals("completed"), "call closed");
            assertThat(after.call().endReason().orElseThrow(), is("caller hung up"));
            assertThat(after.call().durationMs().orElseThrow(), greaterThan(0L));
            assertThat(after.turns().size(), is(3));
        }
    }

    @Test
    void aDatabaseOutageDuringACallLosesNoTurn() throws Exception {
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", TestDatabase.port())) {
            String direct = TestDatabase.fresh("outage");
            String viaProxy = TestDatabase.throughPort(direct, proxy.port());
            try (AgentHarness h = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS,
                                                     java.util.Map.of("DATABASE_URL", viaProxy), java.util.Map.of())) {
                h.cloudflare.queueTranscripts("I would like to book an appointment for next Tuesday.", "Yes, that works. Thank you.");
                h.cloudflare.queueReplies("Sure. What time works for you?", "Great, see you then.");
                FakeTwilioCaller caller = h.call();
                assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
                h.awaitStoredCall(caller.callSid(), d -> d.turns().size() == 1, "greeting stored");

                proxy.cut();
                caller.speak(clip("book_appointment"));
                assertThat("the agent still answers", caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
                assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
                caller.speak(clip("yes_thanks"));
                assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
                assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
                AgentHarness.await(() -> h.agent.journal().databaseDown(), WAIT, "outage noticed");
                assertThat(h.api("/observe/health").body(), containsString("\"storage\":{\"status\":\"DEGRADED\""));
                caller.stop();

                proxy.restore();
                CallDetail stored = h.awaitStoredCall(caller.callSid(), d -> d.call().status().equals("completed"),
                                                      "records written once the database is back");
                List<String> texts = stored.turns().stream().map(TurnRecord::text).toList();
                assertThat(texts, contains("Hello, how can I help?",
                                           "I would like to book an appointment for next Tuesday.",
                                           "Sure. What time works for you?",
                                           "Yes, that works. Thank you.",
                                           "Great, see you then."));
            }
        }
    }
}
