package dev.voiceagent.e2e;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeElevenLabs;
import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.fakes.Fault;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/** One call's trouble with ElevenLabs (a 429: the plan's concurrency limit) moves only that call to the fallback voice. */
class PerCallVoiceTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void anElevenLabs429OnOneCallLeavesTheOtherCallsVoiceAlone() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            h.awaitWarm(4);
            h.cloudflare.replier(call -> call.messages().getLast().get("content").startsWith("first")
                    ? "Answer for the first caller." : "Answer for the second caller.");
            FakeTwilioCaller first = h.call("+15551110001");
            FakeTwilioCaller second = h.call("+15551110002");
            assertThat(first.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));
            assertThat(second.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));

            h.elevenLabs.failNext(FakeElevenLabs.TTS, Fault.status(429));
            h.cloudflare.queueTranscripts("first caller here.");
            first.speak(clip("my_name"));
            assertThat("the first caller still hears an answer (the fallback voice)",
                       first.awaitAudioAfter(first.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            AgentHarness.await(() -> h.cloudflare.auraCalls().stream().anyMatch(a -> a.text().equals("Answer for the first caller.")),
                               WAIT, "the first call's answer spoken by the fallback voice");

            h.cloudflare.queueTranscripts("second caller here.");
            second.speak(clip("my_name"));
            assertThat(second.awaitAudioAfter(second.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            AgentHarness.await(() -> h.elevenLabs.ttsCalls().stream().anyMatch(t -> t.text().equals("Answer for the second caller.")),
                               WAIT, "the second call's answer in the persona's own voice");
            assertThat("the second call never went to the fallback",
                       h.cloudflare.auraCalls().stream().noneMatch(a -> a.text().equals("Answer for the second caller.")), is(true));
        }
    }
}
