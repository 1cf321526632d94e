package dev.voiceagent.call;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * When the call may wait, the reader rests once it has caught up (a frame it waited for, or as many frames as Twilio
 * sent since the rest began) and reads frames that are still waiting back to back.
 */
class ReaderPacingTest {

    private static final long MS = 1_000_000;
    private static final long REST = 100 * MS;
    private static final long HANDLING = MS / 20;   // 50 us to handle one frame

    @Test
    void theFirstFrameIsFollowedByARest() {
        assertThat(new ReaderPacing(REST).afterFrame(0, true), is(REST));
    }

    @Test
    void afterARestTheFramesSentMeanwhileAreReadAtOnceThenTheReaderRestsAgain() {
        ReaderPacing pacing = new ReaderPacing(REST);
        pacing.afterFrame(0, true);
        // Back at the socket at 100 ms: the frames of 20, 40, 60, 80 and 100 ms are there.
        long t = readWaiting(pacing, 100 * MS, 4);
        assertThat("all five read: the next is not due yet", pacing.afterFrame(t + HANDLING, true), is(REST));
    }

    @Test
    void aRestThatRanLateIsMadeUpByReadingMoreBeforeTheNext() {
        ReaderPacing pacing = new ReaderPacing(REST);
        pacing.afterFrame(0, true);
        long t = readWaiting(pacing, 150 * MS, 6);   // the rest ended 50 ms late: seven frames are waiting
        assertThat(pacing.afterFrame(t + HANDLING, true), is(REST));
    }

    @Test
    void aFrameThatWasWaitedForEndsTheCatchingUpEvenWhenFramesCameLate() {
        ReaderPacing pacing = new ReaderPacing(REST);
        pacing.afterFrame(0, true);
        // Only three of the five frames sent during the rest came in time (jitter on the way): fewer read than sent,
        // so by count the reader is behind; but the next read had to wait, so nothing is waiting: rest.
        readWaiting(pacing, 100 * MS, 3);
        assertThat("the fourth, waited for", pacing.afterFrame(115 * MS, true), is(REST));
    }

    /**
     * The reader is back at the socket at {@code resumedAt} and reads {@code count} frames that were waiting, none of
     * them followed by a rest; returns when the last was handled.
     */
    private static long readWaiting(ReaderPacing pacing, long resumedAt, int count) {
        pacing.resumed(resumedAt);
        long t = resumedAt;
        for (int i = 1; i <= count; i++) {
            t += HANDLING;
            assertThat("waiting frame " + i + " of " + count + " read at once", pacing.afterFrame(t, true), is(0L));
        }
        return t;
    }

    @Test
    void restsThatAreNotAWholeNumberOfFramesNeverLeaveFramesBehind() {
        for (long rest : new long[] {92 * MS, 90 * MS, 100 * MS, 107 * MS, 61 * MS}) {
            ReaderPacing pacing = new ReaderPacing(rest);
            long read = 0;             // frames read so far; Twilio sends frame n at n * 20 ms
            long now = 0;
            long worstBehind = 0;
            while (now < 10_000 * MS) {
                if (read * 20 * MS > now) {
                    now = read * 20 * MS;   // nothing waiting: the reader waits for the next frame
                }
                long restFor = pacing.afterFrame(now, true);
                read++;
                now += HANDLING;
                if (restFor > 0) {
                    worstBehind = Math.max(worstBehind, now / (20 * MS) + 1 - read);   // sent but unread, at the rest
                    now += restFor;
                    pacing.resumed(now);
                }
            }
            assertThat("frames left waiting at a rest of " + rest / MS + " ms", worstBehind, is(0L));
        }
    }

    @Test
    void aCallThatCannotWaitIsHeardFrameByFrame() {
        ReaderPacing pacing = new ReaderPacing(REST);
        for (long t = 0; t < 200 * MS; t += 20 * MS) {
            assertThat(pacing.afterFrame(t, false), is(0L));
        }
    }

    @Test
    void whenTheCallCanWaitAgainTheReaderRestsAtOnce() {
        ReaderPacing pacing = new ReaderPacing(REST);
        pacing.afterFrame(0, false);
        pacing.afterFrame(20 * MS, false);
        assertThat(pacing.afterFrame(40 * MS, true), is(REST));
    }

    @Test
    void speechInTheBacklogStopsTheRests() {
        ReaderPacing pacing = new ReaderPacing(REST);
        pacing.afterFrame(0, true);
        assertThat(pacing.afterFrame(100 * MS, true), is(0L));
        assertThat("a frame the call must hear promptly", pacing.afterFrame(100 * MS + HANDLING, false), is(0L));
        assertThat(pacing.afterFrame(100 * MS + 2 * HANDLING, false), is(0L));
        assertThat(pacing.afterFrame(120 * MS, false), is(0L));
    }

    @Test
    void aRestOfZeroTurnsPacingOff() {
        ReaderPacing pacing = new ReaderPacing(0);
        assertThat(pacing.afterFrame(0, true), is(0L));
        assertThat(pacing.afterFrame(20 * MS, true), is(0L));
    }

    @Test
    void aNegativeRestIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ReaderPacing(-1));
    }
}
