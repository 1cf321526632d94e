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
    /** The call could wait for any amount of audio. */
    private static final long ANY = Long.MAX_VALUE;
    /** A message without Twilio's {@code media.timestamp}. */
    private static final long NO_STAMP = -1;

    @Test
    void theFirstFrameIsFollowedByARest() {
        assertThat(new ReaderPacing(REST).afterFrame(0, NO_STAMP, ANY), is(REST));
    }

    @Test
    void afterARestTheFramesSentMeanwhileAreReadAtOnceThenTheReaderRestsAgain() {
        ReaderPacing pacing = new ReaderPacing(REST);
        pacing.afterFrame(0, NO_STAMP, ANY);
        // Back at the socket at 100 ms: the frames of 20, 40, 60, 80 and 100 ms are there.
        long t = readWaiting(pacing, 100 * MS, 4);
        assertThat("all five read: the next is not due yet", pacing.afterFrame(t + HANDLING, NO_STAMP, ANY), is(REST));
    }

    @Test
    void aRestThatRanLateIsMadeUpByReadingMoreBeforeTheNext() {
        ReaderPacing pacing = new ReaderPacing(REST);
        pacing.afterFrame(0, NO_STAMP, ANY);
        long t = readWaiting(pacing, 150 * MS, 6);   // the rest ended 50 ms late: seven frames are waiting
        assertThat(pacing.afterFrame(t + HANDLING, NO_STAMP, ANY), is(REST));
    }

    @Test
    void aFrameThatWasWaitedForEndsTheCatchingUpEvenWhenFramesCameLate() {
        ReaderPacing pacing = new ReaderPacing(REST);
        pacing.afterFrame(0, NO_STAMP, ANY);
        // Only three of the five frames sent during the rest came in time (jitter on the way): fewer read than sent,
        // so by count the reader is behind; but the next read had to wait, so nothing is waiting: rest.
        readWaiting(pacing, 100 * MS, 3);
        assertThat("the fourth, waited for", pacing.afterFrame(115 * MS, NO_STAMP, ANY), is(REST));
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
            assertThat("waiting frame " + i + " of " + count + " read at once", pacing.afterFrame(t, NO_STAMP, ANY),
                       is(0L));
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
                long restFor = pacing.afterFrame(now, NO_STAMP, ANY);
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
            assertThat(pacing.afterFrame(t, NO_STAMP, 0), is(0L));
        }
    }

    @Test
    void whenTheCallCanWaitAgainTheReaderRestsAtOnce() {
        ReaderPacing pacing = new ReaderPacing(REST);
        pacing.afterFrame(0, NO_STAMP, 0);
        pacing.afterFrame(20 * MS, NO_STAMP, 0);
        assertThat(pacing.afterFrame(40 * MS, NO_STAMP, ANY), is(REST));
    }

    @Test
    void speechInTheBacklogStopsTheRests() {
        ReaderPacing pacing = new ReaderPacing(REST);
        pacing.afterFrame(0, NO_STAMP, ANY);
        assertThat(pacing.afterFrame(100 * MS, NO_STAMP, ANY), is(0L));
        assertThat("a frame the call must hear promptly", pacing.afterFrame(100 * MS + HANDLING, NO_STAMP, 0), is(0L));
        assertThat(pacing.afterFrame(100 * MS + 2 * HANDLING, NO_STAMP, 0), is(0L));
        assertThat(pacing.afterFrame(120 * MS, NO_STAMP, 0), is(0L));
    }

    @Test
    void aRestEndsAFrameBeforeTheCallCouldDecide() {
        ReaderPacing pacing = new ReaderPacing(REST);
        assertThat("the 5th frame from now could decide: back before it comes",
                   pacing.afterFrame(0, NO_STAMP, 100 * MS), is(80 * MS));
        assertThat(new ReaderPacing(REST).afterFrame(0, NO_STAMP, 130 * MS), is(REST));
    }

    @Test
    void lessThanTwoFramesOfRestIsNotWorthTaking() {
        assertThat(new ReaderPacing(REST).afterFrame(0, NO_STAMP, 59 * MS), is(0L));
        assertThat(new ReaderPacing(REST).afterFrame(0, NO_STAMP, 60 * MS), is(40 * MS));
    }

    @Test
    void aShortRestSettingStillRests() {
        assertThat(new ReaderPacing(30 * MS).afterFrame(0, NO_STAMP, ANY), is(30 * MS));
    }

    @Test
    void aReaderBehindTheStreamByItsStampsReadsOnWhereTheCountAloneWouldRest() {
        for (boolean stamped : new boolean[] {true, false}) {
            ReaderPacing pacing = new ReaderPacing(REST);
            pacing.afterFrame(0, stamp(stamped, 0), ANY);
            pacing.resumed(100 * MS);
            long t = 100 * MS;
            for (int frame = 1; frame <= 4; frame++) {
                t += HANDLING;
                pacing.afterFrame(t, stamp(stamped, frame * 20), ANY);
            }
            // Frame 5 came 30 ms late, so the reader waited for it; frame 6 came right behind it and is waiting.
            long rest = pacing.afterFrame(130 * MS, stamp(stamped, 100), ANY);
            if (stamped) {
                assertThat("30 ms behind the stream: read on", rest, is(0L));
                assertThat("frame 6, 10 ms behind: caught up", pacing.afterFrame(130 * MS + HANDLING, 120, ANY),
                           is(REST));
            } else {
                assertThat("by the count alone, a frame waited for is the newest", rest, is(REST));
            }
        }
    }

    @Test
    void aRestIsShortenedByHowFarBehindTheStreamTheReaderIs() {
        ReaderPacing pacing = new ReaderPacing(REST);
        pacing.afterFrame(0, 0, ANY);
        pacing.resumed(115 * MS);   // the rest ran 15 ms late
        long t = 115 * MS;
        for (int frame = 1; frame <= 4; frame++) {
            t += HANDLING;
            assertThat(pacing.afterFrame(t, frame * 20, 100 * MS), is(0L));
        }
        t += HANDLING;
        long behind = t - 100 * MS - 5 * ReaderPacing.TRANSIT_DRIFT_NANOS;   // the least transit rose a little
        assertThat("the 5th frame from the newest could decide", pacing.afterFrame(t, 100, 100 * MS),
                   is(100 * MS - 20 * MS - behind));
    }

    @Test
    void aRouteThatGotSlowerIsFollowedAndRestsResume() {
        ReaderPacing pacing = new ReaderPacing(REST);
        long frame = 0;
        for (; frame < 50; frame++) {
            pacing.afterFrame(frame * 20 * MS, frame * 20, 0);   // heard frame by frame, each as it arrives
        }
        long slower = 50 * MS;   // from here on every frame takes 50 ms longer to arrive
        assertThat("at first the reader seems behind", pacing.afterFrame(frame * 20 * MS + slower, frame * 20, ANY),
                   is(0L));
        long restedAt = -1;
        for (frame++; frame < 5_000 && restedAt < 0; frame++) {
            if (pacing.afterFrame(frame * 20 * MS + slower, frame * 20, ANY) > 0) {
                restedAt = frame;
            }
        }
        assertThat("rests again within 50 s of frames", restedAt > 0 && restedAt < 50 + 2_500 + 2, is(true));
    }

    @Test
    void withStampsADecidingFrameIsReadAsItArrivesThoughFramesComeBunched() {
        assertThat("worst lateness of a deciding frame, with stamps (ms)", worstDecisionLateness(true), is(0L));
        assertThat("and by the count alone", worstDecisionLateness(false) > 100, is(true));
    }

    /**
     * Ten minutes of frames, each delayed on the way by 0-60 ms (in order: a late frame holds up those behind it),
     * a decision due every 25th frame; the reader rests as the pacing says. Returns the worst time, in ms, between
     * a deciding frame's arrival and its being read.
     */
    private static long worstDecisionLateness(boolean stamped) {
        java.util.Random random = new java.util.Random(7);
        ReaderPacing pacing = new ReaderPacing(REST);
        long now = 0;
        long arrived = 0;
        long worst = 0;
        for (long frame = 0; frame < 30_000; frame++) {
            arrived = Math.max(arrived, frame * 20 * MS + random.nextInt(60) * MS);
            if (arrived > now) {
                now = arrived;   // the reader waits at the socket
            }
            if (frame % 25 == 24) {
                worst = Math.max(worst, (now - arrived) / MS);
            }
            now += HANDLING;
            long toDecision = (24 - frame % 25) * 20 * MS;
            long rest = pacing.afterFrame(now, stamp(stamped, frame * 20), frame % 25 == 24 ? ANY : toDecision);
            if (rest > 0) {
                now += rest;
                pacing.resumed(now);
            }
        }
        return worst;
    }

    private static long stamp(boolean stamped, long millis) {
        return stamped ? millis : NO_STAMP;
    }

    @Test
    void aRestOfZeroTurnsPacingOff() {
        ReaderPacing pacing = new ReaderPacing(0);
        assertThat(pacing.afterFrame(0, NO_STAMP, ANY), is(0L));
        assertThat(pacing.afterFrame(20 * MS, NO_STAMP, ANY), is(0L));
    }

    @Test
    void aNegativeRestIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ReaderPacing(-1));
    }
}
