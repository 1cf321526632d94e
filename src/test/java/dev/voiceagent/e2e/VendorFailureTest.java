package dev.voiceagent.e2e;

import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.voiceagent.fakes.Fault;
import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeElevenLabs;
import dev.voiceagent.fakes.FakeTwilioCaller;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

/**
 * Every vendor failure mode (401, 429, 5xx, too slow, stream cut midway): the caller hears a short apology
 * or the fallback voice, and the call goes on to a normal next turn.
 */
class VendorFailureTest {

    private static final Duration WAIT = Duration.ofSeconds(12);
    private static final String APOLOGY = "Sorry, say that again?";
    private static AgentHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = AgentHarness.start();
        h.awaitWarm(4);
        h.cloudflare.transcriber(call -> "Hello there.");
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    static Stream<Arguments> sttAndLlmFaults() {
        return Stream.of(
                Arguments.of(FakeCloudflare.WHISPER, Fault.status(401)),
                Arguments.of(FakeCloudflare.WHISPER, Fault.status(429)),
                Arguments.of(FakeCloudflare.WHISPER, Fault.status(500)),
                Arguments.of(FakeCloudflare.WHISPER, Fault.status(503)),
                Arguments.of(FakeCloudflare.WHISPER, Fault.delay(Duration.ofSeconds(3))),
                Arguments.of(FakeCloudflare.LLM, Fault.status(401)),
                Arguments.of(FakeCloudflare.LLM, Fault.status(429)),
                Arguments.of(FakeCloudflare.LLM, Fault.status(500)),
                Arguments.of(FakeCloudflare.LLM, Fault.delay(Duration.ofSeconds(3))),
                Arguments.of(FakeCloudflare.LLM, Fault.cutAfterBytes(0)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("sttAndLlmFaults")
    void aFailingTranscriberOrModelGetsAnApologyAndTheCallContinues(String route, Fault fault) throws Exception {
        h.cloudflare.clearFaults();
        h.cloudflare.failAlways(route, fault);
        FakeTwilioCaller caller = h.call();
        assertThat(caller.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));
        long before = caller.playedAudioBytes();
        caller.speak(clip("yes_thanks"));
        assertThat("the apology plays", caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
        assertThat(caller.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));
        assertThat(caller.playedAudioBytes() - before,
                   greaterThanOrEqualTo(8L * h.elevenLabs.audioMillisFor(APOLOGY) - 160));

        h.cloudflare.clearFaults();
        h.cloudflare.queueTranscripts("Can you hear me now?");
        h.cloudflare.queueReplies("Yes, I can hear you.");
        int chats = h.cloudflare.chatCalls().size();
        caller.speak(clip("my_name"));
        assertThat("the next turn is answered normally",
                   caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
        AgentHarness.await(() -> h.cloudflare.chatCalls().size() > chats, WAIT, "the model to answer");
        assertThat(caller.isClosed(), is(false));
        caller.stop();
    }

    static Stream<Arguments> ttsFaults() {
        return Stream.of(Arguments.of(Fault.status(401)), Arguments.of(Fault.status(429)),
                         Arguments.of(Fault.status(500)), Arguments.of(Fault.delay(Duration.ofSeconds(3))),
                         Arguments.of(Fault.cutAfterBytes(400)));
    }

    @ParameterizedTest(name = "elevenlabs {0}")
    @MethodSource("ttsFaults")
    void whenElevenLabsFailsTheAgentKeepsTalkingWithTheFallbackVoice(Fault fault) throws Exception {
        h.cloudflare.clearFaults();
        h.elevenLabs.clearFaults();
        FakeTwilioCaller caller = h.call();
        assertThat(caller.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));
        String reply = "Fallback voice " + System.nanoTime() + " speaking.";
        h.elevenLabs.failAlways(FakeElevenLabs.TTS, fault);
        h.cloudflare.queueTranscripts("Hello?");
        h.cloudflare.queueReplies(reply);
        caller.speak(clip("yes_thanks"));
        assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
        AgentHarness.await(() -> h.cloudflare.auraTexts().contains(reply), WAIT, "the fallback voice");
        assertThat(h.cloudflare.auraTexts(), hasItem(reply));
        h.elevenLabs.clearFaults();
        caller.stop();
    }

    @Test
    void otherCallsAreUnaffectedWhileOneCallsVendorIsSlow() throws Exception {
        h.cloudflare.clearFaults();
        h.cloudflare.whisperLatency(Duration.ZERO);
        FakeTwilioCaller slow = h.call();
        FakeTwilioCaller fast = h.call();
        assertThat(slow.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));
        assertThat(fast.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));
        h.cloudflare.failNext(FakeCloudflare.WHISPER, Fault.delay(Duration.ofSeconds(4)));
        // The slow call's turn ends first, so it gets the slow transcription.
        slow.speakAsync(clip("yes_thanks"));
        Thread.sleep(300);
        fast.speak(clip("book_appointment"));
        long answered = fast.awaitAudioAfter(fast.lastSpeechFrameNanos(), WAIT);
        assertThat(answered, greaterThan(0L));
        slow.stop();
        fast.stop();
    }
}
