package dev.voiceagent.e2e;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeTwilioCaller;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/** Whole calls over real sockets: greeting, turns, pauses and keypad input. */
class ConversationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration QUIET = Duration.ofMillis(700);

    @Test
    void theGreetingPlaysFromCacheAsSoonAsTheStreamStarts() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            h.awaitWarm(4);
            int ttsRequests = h.elevenLabs.ttsCalls().size();
            long before = System.nanoTime();
            FakeTwilioCaller caller = h.call();
            long firstAudio = caller.awaitAudioAfter(before, WAIT);
            assertThat(firstAudio, greaterThan(0L));
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
            long greetingBytes = 8 * h.elevenLabs.audioMillisFor("Hello, how can I help?");
            assertThat(caller.playedAudioBytes(), allOf(greaterThanOrEqualTo(greetingBytes - 160),
                                                        lessThanOrEqualTo(greetingBytes + 160)));
            assertThat("greeting came from the phrase cache", h.elevenLabs.ttsCalls().size(), is(ttsRequests));
            assertThat(caller.protocolErrors(), is(empty()));
        }
    }

    @Test
    void aMultiTurnConversationTranscribesEachTurnOnceAndWholeAndKeepsTheHistory() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            h.cloudflare.queueTranscripts("I would like to book an appointment for next Tuesday.", "Yes, that works. Thank you.");
            h.cloudflare.queueReplies("Sure. What time works for you?", "Great, you are booked for Tuesday.");
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));

            byte[] first = clip("book_appointment");
            caller.speak(first);
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));

            byte[] second = clip("yes_thanks");
            caller.speak(second);
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));

            List<FakeCloudflare.WhisperCall> stt = h.cloudflare.whisperCalls();
            assertThat("one transcription per turn", stt.size(), is(2));
            assertWholeTurn(stt.get(0), first);
            assertWholeTurn(stt.get(1), second);

            List<FakeCloudflare.ChatCall> chats = h.cloudflare.chatCalls();
            assertThat(chats.size(), is(2));
            assertThat(chats.get(0).messages().get(0).get("role"), is("system"));
            assertThat(contents(chats.get(0)), contains(
                    chats.get(0).messages().get(0).get("content"),
                    "Hello, how can I help?",
                    "I would like to book an appointment for next Tuesday."));
            assertThat(contents(chats.get(1)).subList(1, 5), contains(
                    "Hello, how can I help?",
                    "I would like to book an appointment for next Tuesday.",
                    "Sure. What time works for you?",
                    "Yes, that works. Thank you."));
            assertThat(chats.get(1).body().get("stream").asBoolean(), is(true));
            assertThat(caller.protocolErrors(), is(empty()));
            assertThat(caller.gapsMillis(), is(empty()));
        }
    }

    @Test
    void aShortPauseInsideASentenceDoesNotSplitTheTurn() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            h.cloudflare.queueTranscripts("I need a plumber to fix a leaking pipe in my kitchen.");
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
            byte[] paused = clip("pause_mid_sentence");
            caller.speak(paused);
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
            assertThat(h.cloudflare.whisperCalls().size(), is(1));
            assertWholeTurn(h.cloudflare.whisperCalls().getFirst(), paused);
            assertThat(h.cloudflare.chatCalls().size(), is(1));
        }
    }

    @Test
    void lineNoiseAloneIsNotATurn() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
            caller.speak(clip("line_noise"));
            caller.speak(clip("line_noise"));
            Thread.sleep(800);
            assertThat(h.cloudflare.whisperCalls(), is(empty()));
        }
    }

    @Test
    void speechOverLineNoiseIsStillHeardAsOneTurn() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            h.cloudflare.queueTranscripts("I would like to book an appointment for next Tuesday.");
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
            caller.lineAudio(clip("line_noise"));
            Thread.sleep(1000);
            caller.speak(clip("speech_over_noise"));
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            assertThat(h.cloudflare.whisperCalls().size(), is(1));
        }
    }

    @Test
    void keypadDigitsReachTheAgentAsPartOfTheConversation() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            h.cloudflare.queueReplies("You pressed one and two.");
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
            caller.dtmf("1");
            caller.dtmf("2");
            caller.dtmf("#");
            AgentHarness.await(() -> h.cloudflare.chatCalls().size() == 1, WAIT, "the model to be asked");
            List<String> said = contents(h.cloudflare.chatCalls().getFirst());
            assertThat(said.getLast(), is("(The caller pressed: 1 2 #)"));
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
            assertThat(h.cloudflare.whisperCalls(), is(empty()));
        }
    }

    @Test
    void callerSilenceGetsARepromptThenAGoodbyeAndAHangUp() throws Exception {
        String personas = AgentHarness.DEFAULT_PERSONAS.replace("repromptAfterSeconds: 20", "repromptAfterSeconds: 2");
        try (AgentHarness h = AgentHarness.start(personas)) {
            h.awaitWarm(4);
            FakeTwilioCaller caller = h.call();
            assertThat(h.twilio.awaitUpdate(caller.callSid(), Duration.ofSeconds(15)), is(true));
            long expected = 8 * (h.elevenLabs.audioMillisFor("Hello, how can I help?")
                                 + h.elevenLabs.audioMillisFor("Are you there?")
                                 + h.elevenLabs.audioMillisFor("Goodbye now."));
            assertThat(caller.playedAudioBytes(), greaterThanOrEqualTo(expected - 480));
            assertThat(h.twilio.updates().getFirst().form().get("Status"), is("completed"));
            assertThat(caller.awaitClosed(WAIT), is(true));
        }
    }

    /** The audio sent to Whisper is the whole turn: all of the clip, plus at most pre-roll and the end-of-turn wait. */
    private static void assertWholeTurn(FakeCloudflare.WhisperCall call, byte[] clip) {
        int clipMs = clip.length / 8;
        assertThat(call.audioMillis(), allOf(greaterThanOrEqualTo(clipMs), lessThan(clipMs + 300 + 600 + 200)));
    }

    private static List<String> contents(FakeCloudflare.ChatCall call) {
        return call.messages().stream().map(m -> m.get("content")).toList();
    }
}
