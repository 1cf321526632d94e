package dev.voiceagent.call;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** A hole in a reply's audio is told apart by whether the audio or the sender was late. */
class StutterTest {

    private static final long MS = 1_000_000L;

    @Test
    void aHoleShorterThanAFrameIsNoStutter() {
        assertThat(Stutter.before(1000 * MS, 0, 900 * MS, 1019 * MS), is(Optional.empty()));
        assertThat(Stutter.before(1000 * MS, 0, 900 * MS, 990 * MS), is(Optional.empty()));   // sent before it ran dry
    }

    @Test
    void audioWaitingWhileTheLineRanDryIsTheSendersFault() {
        Stutter s = Stutter.before(1000 * MS, 0, 900 * MS, 1070 * MS).orElseThrow();
        assertThat(s.cause(), is(Stutter.Cause.SENT_LATE));
        assertThat(s.sentLateNanos(), is(70 * MS));
        assertThat(s.speechLateNanos(), is(0L));
        assertThat(s.wordsLateNanos(), is(0L));
        assertThat(s.millis(), is(70L));
    }

    @Test
    void audioThatCameAfterTheLineRanDryIsTheSpeechsFault() {
        Stutter s = Stutter.before(1000 * MS, 0, 1200 * MS, 1201 * MS).orElseThrow();
        assertThat(s.cause(), is(Stutter.Cause.SPEECH_LATE));
        assertThat(s.speechLateNanos(), is(200 * MS));
        assertThat(s.sentLateNanos(), is(1 * MS));
    }

    @Test
    void aHoleWithBothIsNamedByTheLargerShare() {
        Stutter s = Stutter.before(1000 * MS, 0, 1030 * MS, 1100 * MS).orElseThrow();
        assertThat(s.speechLateNanos(), is(30 * MS));
        assertThat(s.sentLateNanos(), is(70 * MS));
        assertThat(s.cause(), is(Stutter.Cause.SENT_LATE));
    }

    @Test
    void aPauseUntilTheNextWordsWereKnownIsAPauseForWords() {
        // the model (or a tool) gave the next sentence 600 ms after the line ran dry; its speech took 200 ms more
        Stutter s = Stutter.before(1000 * MS, 1600 * MS, 1800 * MS, 1805 * MS).orElseThrow();
        assertThat(s.wordsLateNanos(), is(600 * MS));
        assertThat(s.speechLateNanos(), is(200 * MS));
        assertThat(s.sentLateNanos(), is(5 * MS));
        assertThat(s.cause(), is(Stutter.Cause.WORDS_LATE));
        assertThat(s.millis(), is(805L));
    }

    @Test
    void wordsKnownBeforeTheLineRanDryLeaveTheHoleToTheVoice() {
        Stutter s = Stutter.before(1000 * MS, 700 * MS, 1300 * MS, 1301 * MS).orElseThrow();
        assertThat(s.wordsLateNanos(), is(0L));
        assertThat(s.cause(), is(Stutter.Cause.SPEECH_LATE));
    }

    @Test
    void aReplysTallyAddsItsStutters() {
        Stutter.Tally t = Stutter.Tally.NONE
                .plus(Stutter.before(1000 * MS, 0, 1200 * MS, 1201 * MS).orElseThrow())
                .plus(Stutter.before(2000 * MS, 0, 1900 * MS, 2050 * MS).orElseThrow());
        assertThat(t, is(new Stutter.Tally(2, 0, 200, 51)));
    }
}
