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
        assertThat(Stutter.before(1000 * MS, 900 * MS, 1019 * MS), is(Optional.empty()));
        assertThat(Stutter.before(1000 * MS, 900 * MS, 990 * MS), is(Optional.empty()));   // sent before it ran dry
    }

    @Test
    void audioWaitingWhileTheLineRanDryIsTheSendersFault() {
        Stutter s = Stutter.before(1000 * MS, 900 * MS, 1070 * MS).orElseThrow();
        assertThat(s.cause(), is(Stutter.Cause.SENT_LATE));
        assertThat(s.lateNanos(), is(70 * MS));
        assertThat(s.starvedNanos(), is(0L));
        assertThat(s.millis(), is(70L));
    }

    @Test
    void audioThatCameAfterTheLineRanDryIsTheSpeechsFault() {
        Stutter s = Stutter.before(1000 * MS, 1200 * MS, 1201 * MS).orElseThrow();
        assertThat(s.cause(), is(Stutter.Cause.SPEECH_LATE));
        assertThat(s.starvedNanos(), is(200 * MS));
        assertThat(s.lateNanos(), is(1 * MS));
    }

    @Test
    void aHoleWithBothIsNamedByTheLargerShare() {
        Stutter s = Stutter.before(1000 * MS, 1030 * MS, 1100 * MS).orElseThrow();
        assertThat(s.starvedNanos(), is(30 * MS));
        assertThat(s.lateNanos(), is(70 * MS));
        assertThat(s.cause(), is(Stutter.Cause.SENT_LATE));
    }

    @Test
    void aReplysTallyAddsItsStutters() {
        Stutter.Tally t = Stutter.Tally.NONE
                .plus(Stutter.before(1000 * MS, 1200 * MS, 1201 * MS).orElseThrow())
                .plus(Stutter.before(2000 * MS, 1900 * MS, 2050 * MS).orElseThrow());
        assertThat(t, is(new Stutter.Tally(2, 200, 51)));
    }
}
