package dev.voiceagent.audio;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Rate conversion keeps what the target rate can carry and removes what it cannot. */
class ResamplerTest {

    private static final double LEVEL = -10;
    // Samples at each end left out of measurements: there the signal meets the implied silence outside it.
    private static final int EDGE = 200;

    @ParameterizedTest(name = "{0} Hz -> {1} Hz")
    @CsvSource({"24000, 8000", "16000, 8000", "22050, 8000", "48000, 8000", "8000, 16000", "8000, 24000"})
    void aOneKilohertzToneKeepsItsLevelAndFrequency(int fromRate, int toRate) {
        short[] in = Signals.sine(1000, LEVEL, fromRate, fromRate);

        short[] out = Resampler.resample(in, in.length, fromRate, toRate);

        int from = EDGE;
        int to = out.length - EDGE;
        short[] middle = Arrays.copyOfRange(out, from, to);
        assertThat(Levels.dbfs(middle, middle.length), closeTo(LEVEL, 1.0));
        double seconds = (double) (to - from) / toRate;
        assertThat((double) Signals.zeroCrossings(out, from, to), closeTo(2 * 1000 * seconds, 2));
    }

    @Test
    void aSixKilohertzToneAt24KilohertzIsRemovedRatherThanAliasedTo2Kilohertz() {
        short[] in = Signals.sine(6000, LEVEL, 24000, 24000);

        short[] out = Resampler.resample(in, in.length, 24000, 8000);

        short[] middle = Arrays.copyOfRange(out, EDGE, out.length - EDGE);
        assertThat(Levels.dbfs(middle, middle.length), lessThan(LEVEL - 20));
    }

    @Test
    void aSevenKilohertzToneAt16KilohertzIsRemovedRatherThanAliasedTo1Kilohertz() {
        short[] in = Signals.sine(7000, LEVEL, 16000, 16000);

        short[] out = Resampler.resample(in, in.length, 16000, 8000);

        short[] middle = Arrays.copyOfRange(out, EDGE, out.length - EDGE);
        assertThat(Levels.dbfs(middle, middle.length), lessThan(LEVEL - 20));
    }

    @Test
    void upsamplingAddsNoMirrorImageAboveTheOriginalBand() {
        short[] in = Signals.sine(1000, LEVEL, 8000, 8000);

        short[] out = Resampler.resample(in, in.length, 8000, 16000);

        // Naive sample repetition would leave a strong image of 1 kHz at 8 kHz - 1 kHz = 7 kHz.
        assertThat(Signals.toneDbfs(out, 1600, 14400, 7000, 16000), lessThan(LEVEL - 40));
        assertThat(Signals.toneDbfs(out, 1600, 14400, 1000, 16000), closeTo(LEVEL, 1.0));
    }

    @Test
    void aConstantSignalStaysConstant() {
        short[] in = new short[2400];
        Arrays.fill(in, (short) 1000);

        short[] out = Resampler.resample(in, in.length, 24000, 8000);

        for (int i = 50; i < out.length - 50; i++) {
            assertThat("sample " + i, (double) out[i], closeTo(1000, 1));
        }
    }

    @Test
    void theOutputCoversTheSameDuration() {
        short[] in = new short[4800];

        assertThat(Resampler.resample(in, 4800, 24000, 8000).length, is(1600));
        assertThat(Resampler.resample(in, 4410, 22050, 8000).length, is(1600));
        assertThat(Resampler.resample(in, 1600, 8000, 16000).length, is(3200));
        assertThat(Resampler.resample(in, 0, 24000, 8000).length, is(0));
    }

    @Test
    void onlyTheFirstCountSamplesAreUsed() {
        short[] tone = Signals.sine(1000, LEVEL, 24000, 2400);
        short[] withTrailingGarbage = Arrays.copyOf(tone, 4800);
        Arrays.fill(withTrailingGarbage, 2400, 4800, Short.MAX_VALUE);

        assertArrayEquals(Resampler.resample(tone, 2400, 24000, 8000),
                Resampler.resample(withTrailingGarbage, 2400, 24000, 8000));
    }

    @Test
    void equalRatesReturnACopy() {
        short[] in = Signals.sine(1000, LEVEL, 8000, 800);

        short[] out = Resampler.resample(in, 800, 8000, 8000);

        assertArrayEquals(in, out);
        out[0] = 1;
        assertThat(in[0], is((short) 0));
    }

    @Test
    void fullScaleInputClipsInsteadOfWrappingAround() {
        short[] square = new short[2400];
        for (int i = 0; i < square.length; i++) {
            square[i] = (i / 60) % 2 == 0 ? Short.MAX_VALUE : Short.MIN_VALUE;
        }

        short[] out = Resampler.resample(square, square.length, 24000, 8000);

        // The filter overshoots at each edge (Gibbs); a wrap would flip a peak to the opposite sign.
        for (int i = 50; i < out.length - 50; i++) {
            boolean high = ((i * 3) / 60) % 2 == 0;
            int distanceToEdge = Math.min((i * 3) % 60, 60 - (i * 3) % 60);
            if (distanceToEdge >= 6) {
                assertThat("sample " + i, out[i] > 0, is(high));
            }
        }
    }

    @Test
    void rejectsNonPositiveRates() {
        short[] in = new short[10];
        assertThrows(IllegalArgumentException.class, () -> Resampler.resample(in, 10, 0, 8000));
        assertThrows(IllegalArgumentException.class, () -> Resampler.resample(in, 10, 8000, -1));
    }
}
