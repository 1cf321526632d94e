package dev.voiceagent.audio;

import java.util.Random;

/** Synthetic test signals at 8 kHz unless a rate is given; deterministic given the {@link Random} passed in. */
final class Signals {

    static final int RATE = 8000;
    static final int FRAME_BYTES = 160;
    static final int FRAME_MS = 20;

    private Signals() {
    }

    /** Samples in {@code ms} milliseconds at 8 kHz. */
    static int samples(int ms) {
        return ms * RATE / 1000;
    }

    /** A sine of {@code freqHz} whose RMS level is {@code dbfs}. */
    static short[] sine(double freqHz, double dbfs, int sampleRate, int count) {
        double amplitude = 32768.0 * Math.pow(10, dbfs / 20) * Math.sqrt(2);
        short[] out = new short[count];
        for (int i = 0; i < count; i++) {
            out[i] = clamp(amplitude * Math.sin(2 * Math.PI * freqHz * i / sampleRate));
        }
        return out;
    }

    /** Gaussian white noise whose RMS level is {@code dbfs}. */
    static short[] whiteNoise(Random random, double dbfs, int count) {
        double sigma = 32768.0 * Math.pow(10, dbfs / 20);
        short[] out = new short[count];
        for (int i = 0; i < count; i++) {
            out[i] = clamp(sigma * random.nextGaussian());
        }
        return out;
    }

    /**
     * Something a level-based detector should treat like talking: voiced "syllables" of 150-230 ms (a 150-300 Hz
     * harmonic tone gliding in pitch, cosine attack and decay) separated by 50-90 ms of silence, roughly the
     * 4 Hz syllable rate of speech. The RMS over the whole signal, pauses included, is {@code dbfs}.
     */
    static short[] speechLike(Random random, double dbfs, int count) {
        double[] signal = new double[count];
        int i = 0;
        double phase = 0;
        while (i < count) {
            int syllable = samples(150 + random.nextInt(81));
            int ramp = samples(40);
            double f0Start = 150 + 150 * random.nextDouble();
            double f0End = Math.max(150, Math.min(300, f0Start * (0.85 + 0.3 * random.nextDouble())));
            for (int k = 0; k < syllable && i < count; k++, i++) {
                double f0 = f0Start + (f0End - f0Start) * k / syllable;
                phase += 2 * Math.PI * f0 / RATE;
                double value = 0;
                for (int h = 1; h * f0 < 3500; h++) {
                    value += Math.sin(h * phase) / h;
                }
                int edge = Math.min(k, syllable - 1 - k);
                double envelope = edge >= ramp ? 1 : 0.5 - 0.5 * Math.cos(Math.PI * edge / ramp);
                signal[i] = envelope * value;
            }
            i += samples(50 + random.nextInt(41));
        }
        double sumSquares = 0;
        for (double v : signal) {
            sumSquares += v * v;
        }
        double gain = 32768.0 * Math.pow(10, dbfs / 20) / Math.sqrt(sumSquares / count);
        short[] out = new short[count];
        for (int k = 0; k < count; k++) {
            out[k] = clamp(gain * signal[k]);
        }
        return out;
    }

    /** {@code a} and {@code b} added sample by sample (lengths must match). */
    static short[] mix(short[] a, short[] b) {
        short[] out = new short[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = clamp(a[i] + b[i]);
        }
        return out;
    }

    /** {@code parts} one after the other. */
    static short[] concat(short[]... parts) {
        int total = 0;
        for (short[] part : parts) {
            total += part.length;
        }
        short[] out = new short[total];
        int pos = 0;
        for (short[] part : parts) {
            System.arraycopy(part, 0, out, pos, part.length);
            pos += part.length;
        }
        return out;
    }

    static byte[] muLaw(short[] pcm) {
        byte[] out = new byte[pcm.length];
        for (int i = 0; i < pcm.length; i++) {
            out[i] = MuLaw.encode(pcm[i]);
        }
        return out;
    }

    /** RMS level of one 20 ms frame of {@code pcm}. */
    static double frameDbfs(short[] pcm, int frame) {
        short[] copy = new short[FRAME_BYTES];
        System.arraycopy(pcm, frame * FRAME_BYTES, copy, 0, FRAME_BYTES);
        return Levels.dbfs(copy, FRAME_BYTES);
    }

    /** Zero crossings (sign changes) in {@code pcm[from..to)}. */
    static int zeroCrossings(short[] pcm, int from, int to) {
        int crossings = 0;
        for (int i = from + 1; i < to; i++) {
            if ((pcm[i - 1] < 0) != (pcm[i] < 0)) {
                crossings++;
            }
        }
        return crossings;
    }

    /**
     * RMS level in dBFS of the {@code freqHz} component of {@code pcm[from..to)} (Goertzel); exact when the range
     * holds a whole number of its cycles.
     */
    static double toneDbfs(short[] pcm, int from, int to, double freqHz, int sampleRate) {
        double coeff = 2 * Math.cos(2 * Math.PI * freqHz / sampleRate);
        double s1 = 0;
        double s2 = 0;
        for (int i = from; i < to; i++) {
            double s0 = pcm[i] + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        double power = Math.max(0, s1 * s1 + s2 * s2 - coeff * s1 * s2);
        double amplitude = 2 * Math.sqrt(power) / (to - from);
        return 20 * Math.log10(Math.max(1e-9, amplitude / Math.sqrt(2) / 32768.0));
    }

    private static short clamp(double v) {
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(v)));
    }
}
