package dev.voiceagent.fakes;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The bounded histories that keep a long call's memory flat. */
class RingBuffersTest {

    @Test
    void byteHistoryKeepsTheNewestBytesAcrossWrapAndGrowth() {
        ByteHistory history = new ByteHistory(20_000);
        byte[] chunk = new byte[7_000];
        for (int i = 0; i < 5; i++) {
            Arrays.fill(chunk, (byte) i);
            history.append(chunk, 0, chunk.length);
        }
        byte[] kept = history.toArray();

        assertThat(kept.length, is(20_000));
        assertThat(kept[0], is((byte) 2));
        assertThat(kept[5_999], is((byte) 2));
        assertThat(kept[6_000], is((byte) 3));
        assertThat(kept[19_999], is((byte) 4));
    }

    @Test
    void byteHistoryTakesTheTailOfAnOversizedAppend() {
        ByteHistory history = new ByteHistory(4);
        history.append(new byte[] {1, 2, 3, 4, 5, 6}, 0, 6);

        assertThat(history.toArray(), is(new byte[] {3, 4, 5, 6}));
    }

    @Test
    void arrivalTimesFindTheFirstStampAtOrAfterATime() {
        ArrivalTimes times = new ArrivalTimes(1_000);
        for (long t = 10; t <= 5_000; t += 10) {
            times.add(t);
        }

        assertThat(times.firstAtOrAfter(4_001), is(4_010L));
        assertThat(times.firstAtOrAfter(4_010), is(4_010L));
        assertThat(times.firstAtOrAfter(5_001), is(-1L));
        assertThat(times.firstAtOrAfter(0), is(10L));
        assertThat(times.last(), is(5_000L));
    }

    @Test
    void arrivalTimesDropTheOldest() {
        ArrivalTimes times = new ArrivalTimes(300);
        for (long t = 1; t <= 1_000; t++) {
            times.add(t);
        }

        assertThat(times.firstAtOrAfter(0), is(701L));
        assertThat(times.last(), is(1_000L));
    }
}
