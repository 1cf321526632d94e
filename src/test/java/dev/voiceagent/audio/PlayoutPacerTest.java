package dev.voiceagent.audio;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Pacing outbound audio at real time with a small lead, checked by a simulated sender loop on a fake clock: it
 * asks how long to wait, "sleeps" that long (sometimes oversleeping, as real timers do), then sends one frame.
 */
class PlayoutPacerTest {

    private static final long MS = 1_000_000L;
    private static final long FRAME = PlayoutPacer.mulawNanos(160);
    private static final long LEAD = 120 * MS;

    private final PlayoutPacer pacer = new PlayoutPacer(LEAD);
    private final Random random = new Random(8000);

    // The simulated sender's clock starts at an arbitrary System.nanoTime()-like value.
    private long now = 987_654_321_000L;
    private int framesSent;
    private long mostBuffered;
    private long leastBufferedBeforeSend = Long.MAX_VALUE;
    private int largestBurst;

    @Test
    void oneSecondIsEightThousandMuLawBytes() {
        assertThat(PlayoutPacer.mulawNanos(8000), is(1_000_000_000L));
        assertThat(PlayoutPacer.mulawNanos(160), is(20 * MS));
    }

    @Test
    void throughputEqualsRealTimeOverTenSeconds() {
        sendFor(2_000 * MS, 0);
        int before = framesSent;

        sendFor(10_000 * MS, 0);

        long audioSent = (framesSent - before) * FRAME;
        assertThat(Math.abs(audioSent - 10_000 * MS), lessThanOrEqualTo(FRAME));
    }

    @Test
    void throughputStaysRealTimeWhenTheSenderOversleeps() {
        sendFor(2_000 * MS, 0);
        int before = framesSent;

        sendFor(10_000 * MS, 8 * MS);

        long audioSent = (framesSent - before) * FRAME;
        assertThat(Math.abs(audioSent - 10_000 * MS), lessThanOrEqualTo(FRAME));
    }

    @Test
    void queuedAudioNeverExceedsTheLeadPlusOneFrame() {
        sendFor(10_000 * MS, 8 * MS);

        assertThat(mostBuffered, lessThanOrEqualTo(LEAD + FRAME));
    }

    @Test
    void theLineNeverRunsDryWhileAudioKeepsComing() {
        sendFor(200 * MS, 0);
        leastBufferedBeforeSend = Long.MAX_VALUE;

        sendFor(10_000 * MS, 30 * MS);

        assertThat(leastBufferedBeforeSend, greaterThan(0L));
    }

    @Test
    void theFirstBurstFillsOnlyTheLead() {
        sendFor(1_000 * MS, 0);

        assertThat(largestBurst * FRAME, lessThanOrEqualTo(LEAD + FRAME));
    }

    @Test
    void afterAnUnderrunSendingResumesWithoutABurstBeyondTheLead() {
        sendFor(2_000 * MS, 0);
        now += 500 * MS; // the synthesizer had nothing for half a second
        assertThat(pacer.bufferedNanos(now), is(0L));
        largestBurst = 0;
        mostBuffered = 0;

        sendFor(2_000 * MS, 0);

        assertThat(largestBurst * FRAME, lessThanOrEqualTo(LEAD + FRAME));
        assertThat(mostBuffered, lessThanOrEqualTo(LEAD + FRAME));
    }

    @Test
    void afterAClearNothingIsQueuedAndTheLeadIsRebuiltFromScratch() {
        sendFor(1_000 * MS, 0);
        assertThat(pacer.bufferedNanos(now), greaterThan(LEAD - FRAME));

        pacer.reset(now);

        assertThat(pacer.bufferedNanos(now), is(0L));
        assertThat(pacer.nanosUntilNextSend(now), is(0L));
        largestBurst = 0;
        sendFor(1_000 * MS, 0);
        assertThat(largestBurst * FRAME, lessThanOrEqualTo(LEAD + FRAME));
    }

    @Test
    void nextSendIsDueWhenOnlyTheLeadIsLeftQueued() {
        pacer.sent(now, 1_000 * MS);

        assertThat(pacer.nanosUntilNextSend(now), is(1_000 * MS - LEAD));
        assertThat(pacer.nanosUntilNextSend(now + 1_000 * MS - LEAD), is(0L));
        assertThat(pacer.bufferedNanos(now + 400 * MS), is(600 * MS));
        assertThat(pacer.bufferedNanos(now + 2_000 * MS), is(0L));
    }

    @Test
    void nothingIsQueuedAndNothingIsDueBeforeTheFirstSend() {
        assertThat(pacer.bufferedNanos(now), is(0L));
        assertThat(pacer.nanosUntilNextSend(now), is(0L));
    }

    @Test
    void worksAcrossTheWrapOfTheNanosecondClock() {
        now = Long.MAX_VALUE - 3_000 * MS;

        sendFor(10_000 * MS, 0);

        assertThat(mostBuffered, lessThanOrEqualTo(LEAD + FRAME));
        assertThat(Math.abs(framesSent * FRAME - (10_000 * MS + LEAD)), lessThanOrEqualTo(FRAME));
    }

    @Test
    void rejectsANegativeLead() {
        assertThrows(IllegalArgumentException.class, () -> new PlayoutPacer(-1));
    }

    /**
     * Runs the sender loop for {@code duration} of fake time with an unlimited supply of frames. Every wait is
     * overslept by a random 0..{@code maxOversleep}.
     */
    private void sendFor(long duration, long maxOversleep) {
        long end = now + duration;
        // A pacer that never asks to wait would spin forever; that is a failure, not a hang.
        int maxSends = framesSent + (int) (duration / FRAME) + 1_000;
        int burst = 0;
        while (true) {
            assertThat("frames sent", framesSent, lessThan(maxSends));
            long wait = pacer.nanosUntilNextSend(now);
            if (wait > 0) {
                wait += maxOversleep == 0 ? 0 : (long) (random.nextDouble() * maxOversleep);
                burst = 0;
            }
            if (now + wait - end >= 0) {
                now = end;
                return;
            }
            now += wait;
            leastBufferedBeforeSend = Math.min(leastBufferedBeforeSend, pacer.bufferedNanos(now));
            pacer.sent(now, FRAME);
            framesSent++;
            largestBurst = Math.max(largestBurst, ++burst);
            mostBuffered = Math.max(mostBuffered, pacer.bufferedNanos(now));
        }
    }
}
