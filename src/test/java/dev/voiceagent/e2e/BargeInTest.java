package dev.voiceagent.e2e;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeTwilioCaller;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/** The caller talks over the agent: the line goes quiet at once and only what was heard is remembered. */
class BargeInTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String FIRST = "First of all, thank you for calling us today.";
    private static final String SECOND = "We have several openings next week in the morning and in the afternoon.";
    private static final String THIRD = "Third, this sentence should never be spoken to anyone at all.";

    @Test
    void interruptingClearsPlaybackCancelsTheReplyAndKeepsOnlyTheHeardPart() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            h.cloudflare.queueTranscripts("I would like to book an appointment.", "Wait, actually I have a question.");
            h.cloudflare.queueReplies(FIRST + " " + SECOND + " " + THIRD, "Of course, go ahead.");
            // Slow generation, so the third sentence is still being written when the caller cuts in.
            h.cloudflare.tokenInterval(Duration.ofMillis(120));
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));

            caller.speak(clip("book_appointment"));
            long replyStart = caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT);
            assertThat(replyStart, greaterThan(0L));
            // Let the agent talk for about two and a half seconds: into the second sentence.
            Thread.sleep(2500);
            int clearsBefore = caller.clearCount();
            long speakingFrom = System.nanoTime();
            caller.speakAsync(clip("interruption"));
            AgentHarness.await(() -> caller.clearCount() > clearsBefore, WAIT, "clear after barge-in");
            long clearMs = (caller.clearReceivedNanos() - speakingFrom) / 1_000_000;
            assertThat("clear soon after the caller started talking (" + clearMs + " ms)", clearMs, lessThan(1000L));

            // Nothing of the interrupted reply plays after the clear: the next audio is the new answer.
            AgentHarness.await(() -> h.cloudflare.chatCalls().size() == 2, WAIT, "the interruption to be answered");
            long nextAudio = caller.awaitAudioAfter(caller.clearReceivedNanos(), WAIT);
            assertThat(nextAudio, greaterThan(caller.lastSpeechFrameNanos()));

            // Synthesis in flight was cancelled: the third sentence never reached the TTS vendor.
            List<String> spoken = h.elevenLabs.ttsCalls().stream().map(c -> c.text()).toList();
            assertThat(spoken.stream().anyMatch(t -> t.startsWith("Third")), is(false));

            // History holds only what the caller heard, cut with a dash, despite Twilio echoing every mark.
            FakeCloudflare.ChatCall next = h.cloudflare.chatCalls().get(1);
            List<String> contents = next.messages().stream().map(m -> m.get("content")).toList();
            String heard = contents.get(contents.size() - 2);
            assertThat(next.messages().get(contents.size() - 2).get("role"), is("assistant"));
            assertThat(heard, startsWith(FIRST));
            assertThat(heard, endsWith("—"));
            assertThat(heard, not(org.hamcrest.Matchers.containsString("Third")));
            assertThat(contents.getLast(), is("Wait, actually I have a question."));
            assertThat(caller.protocolErrors(), is(org.hamcrest.Matchers.empty()));

            // Stored the same way: the agent's turn as heard, marked interrupted.
            var stored = h.awaitStoredCall(caller.callSid(), d -> d.turns().size() >= 4, "the interrupted turn stored");
            var cut = stored.turns().get(2);
            assertThat(cut.role(), is(dev.voiceagent.store.TurnRecord.Role.AGENT));
            assertThat(cut.interrupted(), is(true));
            assertThat(cut.text(), startsWith(FIRST));
            assertThat(cut.text(), not(org.hamcrest.Matchers.containsString("Third")));
            assertThat(stored.turns().get(3).text(), is("Wait, actually I have a question."));
        }
    }

    @Test
    void aCallerWhoKeepsTalkingBeforeTheAnswerStartsIsHeardAsOneTurn() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            // Slow transcription: the caller resumes while the first part is still being transcribed.
            h.cloudflare.whisperLatency(Duration.ofMillis(900));
            h.cloudflare.queueTranscripts("I need a plumber.", "I need a plumber. My name is Jane Doe.");
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));
            byte[] first = clip("yes_thanks");
            byte[] second = clip("my_name");
            caller.speak(first);
            Thread.sleep(700);   // past the end-of-turn wait: the first part is sent to Whisper
            caller.speak(second);
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            assertThat(caller.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));
            List<FakeCloudflare.WhisperCall> stt = h.cloudflare.whisperCalls();
            assertThat(stt.size(), is(2));
            assertThat("the merged turn holds both parts", stt.get(1).audioMillis(),
                       greaterThan((first.length + second.length) / 8));
            assertThat(h.cloudflare.chatCalls().size(), is(1));
            assertThat(h.cloudflare.chatCalls().getFirst().messages().getLast().get("content"),
                       is("I need a plumber. My name is Jane Doe."));
        }
    }
}
