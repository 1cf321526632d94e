package dev.voiceagent.audio;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/** Stationary noise has a small level spread; speech-like modulation a large one. */
class LevelSpreadTest {

    @Test
    void matchesTheSampleStandardDeviation() {
        LevelSpread spread = new LevelSpread();
        for (double v : new double[] {-20, -22, -24, -26}) {
            spread.add(v);
        }
        assertThat(spread.spreadDb(), closeTo(2.582, 0.001));
        assertThat(spread.count(), is(4));
        spread.reset();
        assertThat(spread.spreadDb(), is(0.0));
    }

    @Test
    void whiteNoiseFramesBarelyVaryWhileSyllablesDo() {
        Random random = new Random(7);
        LevelSpread noise = new LevelSpread();
        LevelSpread speech = new LevelSpread();
        byte[] frame = new byte[160];
        for (int f = 0; f < 50; f++) {
            for (int i = 0; i < frame.length; i++) {
                frame[i] = MuLaw.encode((int) (random.nextGaussian() * 32768 * Math.pow(10, -30 / 20.0)));
            }
            noise.add(Levels.muLawDbfs(frame, 0, frame.length));
            // 4 Hz syllable envelope between about -35 and -15 dBFS
            double envelope = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * f * 0.02);
            for (int i = 0; i < frame.length; i++) {
                frame[i] = MuLaw.encode((int) (envelope * 0.25 * 32767 * Math.sin(2 * Math.PI * 180 * (f * 160 + i) / 8000.0)));
            }
            speech.add(Levels.muLawDbfs(frame, 0, frame.length));
        }
        assertThat(noise.spreadDb(), lessThan(1.0));
        assertThat(speech.spreadDb(), greaterThan(4.0));
    }
}
