package dev.voiceagent.fakes;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Twilio's playout rules on a virtual clock: no threads, no sleeps. */
class TwilioPlayoutTest {

    private static final long MS = 1_000_000L;
    private static final long T0 = 5_000 * MS;

    private final TwilioPlayout playout = new TwilioPlayout();

    @Test
    void playsAtEightThousandBytesPerSecond() {
        playout.audio(bytes(800, 1), T0);

        playout.advance(T0);
        assertThat(playout.playedAudioBytes(), is(160L));
        playout.advance(T0 + 59 * MS);
        assertThat(playout.playedAudioBytes(), is(480L));
        assertThat(playout.drained(T0 + 99 * MS), is(false));
        assertThat(playout.drained(T0 + 100 * MS), is(true));
        assertThat(playout.playedAudio(), is(bytes(800, 1)));
    }

    @Test
    void markIsDueWhenTheAudioBeforeItHasPlayed() {
        playout.audio(bytes(4_000, 1), T0);
        playout.mark("reply-1", T0);

        assertThat(playout.advance(T0 + 499 * MS), is(empty()));
        assertThat(playout.nextDueNanos(), is(T0 + 500 * MS));
        assertThat(playout.advance(T0 + 500 * MS), contains("reply-1"));
    }

    @Test
    void markBetweenChunksIsReachedMidFrame() {
        playout.audio(bytes(100, 1), T0);
        playout.mark("half", T0);
        playout.audio(bytes(100, 2), T0);

        assertThat(playout.advance(T0 + 12 * MS), is(empty()));
        assertThat(playout.advance(T0 + 12_500_000L), contains("half"));
    }

    @Test
    void markWithNothingBufferedIsDueAtOnce() {
        playout.mark("idle", T0);

        assertThat(playout.nextDueNanos(), is(Long.MIN_VALUE));
        assertThat(playout.advance(T0), contains("idle"));
        assertThat(playout.nextDueNanos(), is(Long.MAX_VALUE));
    }

    @Test
    void markWaitsForTheFrameStillPlaying() {
        playout.audio(bytes(160, 1), T0);
        playout.advance(T0);
        playout.mark("after-frame", T0 + 5 * MS);

        assertThat(playout.advance(T0 + 19 * MS), is(empty()));
        assertThat(playout.advance(T0 + 20 * MS), contains("after-frame"));
    }

    @Test
    void clearDropsAudioAndMakesEveryPendingMarkDueInOrder() {
        playout.audio(bytes(8_000, 1), T0);
        playout.mark("a", T0);
        playout.audio(bytes(8_000, 1), T0);
        playout.mark("b", T0);
        playout.clear(T0 + 100 * MS);

        assertThat(playout.advance(T0 + 100 * MS), contains("a", "b"));
        assertThat(playout.clearCount(), is(1));
        assertThat(playout.queuedBytes(), is(0L));
        assertThat(playout.playedAudioBytes(), is(960L));
        assertThat(playout.drained(T0 + 100 * MS), is(true));
    }

    @Test
    void underrunFollowedByMoreAudioIsAStutter() {
        playout.audio(bytes(1_600, 1), T0);
        playout.audio(bytes(1_600, 1), T0 + 500 * MS);

        assertThat(playout.gapsMillis(), contains(300L));
        assertThat(playout.gaps(), contains(new Gap(300, T0 + 500 * MS)));   // ended when the audio came again
        assertThat(playout.playedAudioBytes(), is(1_600L));
    }

    @Test
    void longSilenceIsATurnBoundaryAndClearIsNoStutter() {
        playout.audio(bytes(160, 1), T0);
        playout.audio(bytes(160, 1), T0 + 2_000 * MS);
        playout.clear(T0 + 2_010 * MS);
        playout.audio(bytes(160, 1), T0 + 2_300 * MS);
        playout.audio(bytes(160, 1), T0 + 2_330 * MS);

        assertThat(playout.gapsMillis(), is(empty()));
    }

    @Test
    void keepsOnlyTheLastMinuteOfPlayedAudio() {
        int minute = TwilioPlayout.HISTORY_BYTES;
        playout.audio(bytes(minute + 160, 1), T0);
        playout.advance(T0 + 61_000 * MS);

        assertThat(playout.playedAudioBytes(), is((long) minute + 160));
        assertThat(playout.playedAudio().length, is(minute));
    }

    private static byte[] bytes(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}
