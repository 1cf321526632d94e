package dev.voiceagent.audio;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.is;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RMS level in dBFS, from linear samples and straight from mu-law. */
class LevelsTest {

    private final Random random = new Random(3);

    @Test
    void aFullScaleSquareWaveIsZeroDbfs() {
        short[] square = new short[160];
        for (int i = 0; i < square.length; i++) {
            square[i] = i % 2 == 0 ? Short.MIN_VALUE : Short.MIN_VALUE + 1;
        }

        assertThat(Levels.dbfs(square, square.length), closeTo(0.0, 0.001));
    }

    @Test
    void aSineIsThreeDecibelsBelowItsPeak() {
        short[] sine = new short[160];
        for (int i = 0; i < sine.length; i++) {
            sine[i] = (short) Math.round(16384 * Math.sin(2 * Math.PI * i / 8));
        }

        assertThat(Levels.dbfs(sine, sine.length), closeTo(20 * Math.log10(0.5 / Math.sqrt(2)), 0.01));
    }

    @Test
    void halvingTheAmplitudeLowersTheLevelBySixDecibels() {
        short[] loud = Signals.whiteNoise(random, -20, 1_000);
        short[] half = new short[loud.length];
        for (int i = 0; i < loud.length; i++) {
            half[i] = (short) (loud[i] / 2);
        }

        assertThat(Levels.dbfs(loud, loud.length) - Levels.dbfs(half, half.length), closeTo(6.02, 0.05));
    }

    @Test
    void silenceAndEmptyInputMeasureMinus120() {
        assertThat(Levels.dbfs(new short[160], 160), is(-120.0));
        assertThat(Levels.dbfs(new short[0], 0), is(-120.0));
        assertThat(Levels.SILENCE_DBFS, is(-120.0));
    }

    @Test
    void nothingMeasuresBelowMinus120() {
        short[] almostSilent = new short[1_000_000];
        almostSilent[0] = 1;

        assertThat(Levels.dbfs(almostSilent, almostSilent.length), is(-120.0));
    }

    @Test
    void onlyTheFirstCountSamplesAreMeasured() {
        short[] samples = Signals.sine(1000, -30, 8000, 320);
        Arrays.fill(samples, 160, 320, Short.MAX_VALUE);

        assertThat(Levels.dbfs(samples, 160), closeTo(-30, 0.01));
    }

    @Test
    void muLawMeasuresTheSameAsItsDecodedSamples() {
        byte[] mulaw = Signals.muLaw(Signals.whiteNoise(random, -25, 1_000));
        short[] decoded = new short[300];
        MuLaw.decode(mulaw, 500, 300, decoded);

        assertThat(Levels.muLawDbfs(mulaw, 500, 300), closeTo(Levels.dbfs(decoded, 300), 1e-9));
    }

    @Test
    void muLawSilenceMeasuresMinus120() {
        byte[] silence = new byte[160];
        Arrays.fill(silence, MuLaw.SILENCE);

        assertThat(Levels.muLawDbfs(silence, 0, 160), is(-120.0));
    }

    @Test
    void muLawOnlyMeasuresTheGivenRange() {
        byte[] frame = Signals.muLaw(Signals.sine(1000, -30, 8000, 480));
        Arrays.fill(frame, 0, 160, MuLaw.encode(Short.MAX_VALUE));
        Arrays.fill(frame, 320, 480, MuLaw.encode(Short.MAX_VALUE));

        assertThat(Levels.muLawDbfs(frame, 160, 160), closeTo(-30, 0.1));
    }
}
