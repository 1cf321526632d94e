package dev.voiceagent.e2e;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeToolServer;
import dev.voiceagent.fakes.FakeTwilioCaller;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * Over real sockets: a hole the caller hears in the middle of a reply is one the server counts too, and the server
 * says what it waited for: the voice for a sentence it was slow to speak, the words while a tool ran.
 */
class StutterAccountTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration QUIET = Duration.ofMillis(1500);

    @Test
    void aSentenceWhoseSpeechComesLateIsAHoleBothSidesHearAndTheServerBlamesTheVoice() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            h.cloudflare.transcriber(call -> "I'd like to book an appointment.");
            h.cloudflare.replier(call -> "Sure thing. Your appointment is on Tuesday at nine in the morning.");
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
            // "Sure thing." plays 440 ms; the next sentence's audio starts 900 ms after it is asked for.
            h.elevenLabs.firstByteLatency(Duration.ofMillis(900));
            Counts before = counts(h);   // the meters are the JVM's: other calls in this JVM count there too
            caller.speak(clip("book_appointment"));
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));

            List<Long> heard = caller.gapsMillis();
            assertThat(heard, hasSize(1));
            assertThat(heard.getFirst(), allOf(greaterThan(250L), lessThan(800L)));
            AgentHarness.await(() -> counts(h).minus(before).speechLate() == 1, WAIT, "the count");
            Counts counted = counts(h).minus(before);
            assertThat(counted, is(new Counts(0, 1, 0, counted.speechLateMs())));
            assertThat(Math.abs(counted.speechLateMs() - heard.getFirst()), lessThan(100.0));
        }
    }

    @Test
    void aPauseWhileAToolRunsIsAPauseForWordsNotAStutterOfTheVoice() throws Exception {
        try (FakeToolServer tools = new FakeToolServer(ToolCallTest.SECRET, "order_status");
             AgentHarness h = ToolCallTest.start(tools)) {
            tools.answer("order_status", args -> "{\"status\":\"shipped\"}");
            // The filler comes at 700 ms and plays about 1.2 s; the tool answers at 2.5 s.
            tools.latency("order_status", Duration.ofMillis(2500));
            ToolCallTest.scriptModel(h, "It shipped yesterday.");
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));

            Counts before = counts(h);
            caller.speak(clip("book_appointment"));
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            AgentHarness.await(() -> counts(h).minus(before).wordsLate() == 1, WAIT, "the pause");
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
            Counts counted = counts(h).minus(before);
            assertThat(counted.speechLate() + counted.sentLate(), is(0.0));
        }
    }

    /** The stutter meters: how many by cause, and the speech-late milliseconds. */
    private record Counts(double wordsLate, double speechLate, double sentLate, double speechLateMs) {
        Counts minus(Counts o) {
            return new Counts(wordsLate - o.wordsLate, speechLate - o.speechLate, sentLate - o.sentLate,
                              speechLateMs - o.speechLateMs);
        }
    }

    /** Read with the e2e tests' metrics reader (RelayRobustnessTest.metric). */
    private static Counts counts(AgentHarness h) {
        try {
            return new Counts(RelayRobustnessTest.metric(h, "voice_playout_stutters_total", "cause=\"words_late\""),
                              RelayRobustnessTest.metric(h, "voice_playout_stutters_total", "cause=\"speech_late\""),
                              RelayRobustnessTest.metric(h, "voice_playout_stutters_total", "cause=\"sent_late\""),
                              RelayRobustnessTest.metric(h, "voice_playout_stutter_milliseconds_total",
                                                         "cause=\"speech_late\""));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
