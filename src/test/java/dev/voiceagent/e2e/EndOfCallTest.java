package dev.voiceagent.e2e;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeTwilioCaller;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

/** Ending a call: the model's [END_CALL], the time limit, and the caller hanging up. */
class EndOfCallTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void endCallTokenIsNeverSpokenAndTheCallIsHungUpAfterTheGoodbyePlayed() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            h.awaitWarm(4);
            h.cloudflare.queueTranscripts("That is all, thank you.");
            h.cloudflare.queueReplies("You are welcome, goodbye! [END_CALL]");
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));
            long greetingBytes = caller.playedAudioBytes();
            caller.speak(clip("yes_thanks"));

            assertThat(h.twilio.awaitUpdate(caller.callSid(), WAIT), is(true));
            long goodbyeBytes = 8 * h.elevenLabs.audioMillisFor("You are welcome, goodbye!");
            assertThat("the goodbye had played when the call was hung up",
                       caller.playedAudioBytes() - greetingBytes, greaterThanOrEqualTo(goodbyeBytes - 320));
            assertThat(h.twilio.updates().getFirst().form(), is(Map.of("Status", "completed")));
            assertThat(h.elevenLabs.ttsCalls().stream().anyMatch(c -> c.text().contains("END_CALL")), is(false));
            assertThat(caller.awaitClosed(WAIT), is(true));
            AgentHarness.await(() -> h.activeCalls() == 0, WAIT, "the call to be finished");
        }
    }

    @Test
    void theCallTimeLimitSaysGoodbyeAndHangsUp() throws Exception {
        String personas = AgentHarness.DEFAULT_PERSONAS.replace("maxCallMinutes: 5", "maxCallMinutes: 0.1");
        try (AgentHarness h = AgentHarness.start(personas)) {
            h.awaitWarm(4);
            FakeTwilioCaller caller = h.call();
            assertThat(h.twilio.awaitUpdate(caller.callSid(), Duration.ofSeconds(15)), is(true));
            assertThat(caller.awaitClosed(WAIT), is(true));
            long expected = 8 * (h.elevenLabs.audioMillisFor("Hello, how can I help?")
                                 + h.elevenLabs.audioMillisFor("Goodbye now."));
            assertThat(caller.playedAudioBytes(), greaterThanOrEqualTo(expected - 320));
            // Stored and pushed as what it was: the time limit, not an ordinary goodbye.
            var stored = h.awaitStoredCall(caller.callSid(), d -> d.call().endReason().isPresent(), "the call closed");
            assertThat(stored.call().endReason().orElseThrow(), is("time limit"));
            AgentHarness.await(() -> h.ghl.tagsAdded().stream().anyMatch(t -> t.tags().contains("call-time-limit")),
                               WAIT, "the call-time-limit tag in the CRM");
        }
    }

    @Test
    void whenTheCallerHangsUpTheCallFinishesWithoutCallingTwilio() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            FakeTwilioCaller caller = h.call();
            AgentHarness.await(() -> h.activeCalls() == 1, WAIT, "the call to start");
            caller.stop();
            AgentHarness.await(() -> h.activeCalls() == 0, WAIT, "the call to finish");
            assertThat(h.twilio.updates().isEmpty(), is(true));
        }
    }

    @Test
    void aSocketThatDropsWithoutACloseFrameIsNoticedByTheWatchdog() throws Exception {
        try (AgentHarness h = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, Map.of(),
                                                 Map.of("calls.inboundSilenceLimitMs", "1500"))) {
            FakeTwilioCaller caller = h.call();
            AgentHarness.await(() -> h.activeCalls() == 1, WAIT, "the call to start");
            caller.dropAbruptly();
            AgentHarness.await(() -> h.activeCalls() == 0, WAIT, "the watchdog to finish the call");
        }
    }

    @Test
    void aStalledStreamThatStopsSendingMediaIsFinished() throws Exception {
        try (AgentHarness h = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, Map.of(),
                                                 Map.of("calls.inboundSilenceLimitMs", "1500"))) {
            FakeTwilioCaller caller = h.call();
            AgentHarness.await(() -> h.activeCalls() == 1, WAIT, "the call to start");
            caller.stopSendingMedia();
            assertThat(caller.awaitClosed(WAIT), is(true));
            // The socket closes a moment before the call leaves the registry (both within the teardown).
            AgentHarness.await(() -> h.activeCalls() == 0, WAIT, "the call to be finished");
        }
    }
}
