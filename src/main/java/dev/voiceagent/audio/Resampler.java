package dev.voiceagent.audio;

import java.util.Arrays;
import java.util.Objects;

/**
 * Sample-rate conversion of 16-bit mono PCM, for synthesizers or files that deliver 16 kHz, 22.05 kHz or 24 kHz
 * audio when the phone line takes 8 kHz (and, less often, the other way round).
 *
 * <p>A windowed-sinc (Blackman) low-pass interpolator: each output sample is a weighted sum of the input samples
 * around its position. When downsampling, the cutoff sits just below the output Nyquist frequency so that
 * content the output cannot represent is removed instead of folding back as audible aliasing. The kernel is
 * tabulated once per call for each of the {@code toRate / gcd} sub-sample phases, which covers the usual
 * rational ratios (3:1, 2:1, 441:160) without evaluating trigonometry per tap.
 *
 * <p>Each call treats its input as the whole signal, with silence on both sides. Resampling a stream chunk by
 * chunk therefore softens the first and last few milliseconds of every chunk.
 */
public final class Resampler {

    // Sinc zero crossings on each side of the centre; 12 gives > 50 dB stop band with the Blackman window.
    private static final int ZERO_CROSSINGS = 12;
    // Cutoff as a fraction of the lower Nyquist frequency; leaves room for the transition band below it.
    private static final double ROLLOFF = 0.9;
    // Above this many phases the table would cost more than computing taps directly.
    private static final int MAX_TABULATED_PHASES = 1024;

    private Resampler() {
    }

    /**
     * Converts {@code in[0..count)} from {@code fromRate} to {@code toRate}.
     *
     * @return {@code count * toRate / fromRate} samples (rounded down); a copy when the rates are equal
     */
    public static short[] resample(short[] in, int count, int fromRate, int toRate) {
        Objects.checkFromIndexSize(0, count, in.length);
        if (fromRate <= 0 || toRate <= 0) {
            throw new IllegalArgumentException("rates must be positive: " + fromRate + " -> " + toRate);
        }
        if (fromRate == toRate) {
            return Arrays.copyOf(in, count);
        }
        int gcd = gcd(fromRate, toRate);
        int up = toRate / gcd;
        int down = fromRate / gcd;
        short[] out = new short[(int) ((long) count * toRate / fromRate)];

        // Cutoff in cycles per input sample, times two: a sinc of this "bandwidth" has unit DC gain.
        double bandwidth = ROLLOFF * Math.min(1.0, (double) toRate / fromRate);
        double halfWidth = ZERO_CROSSINGS / bandwidth;
        int taps = 2 * (int) Math.ceil(halfWidth);
        int before = taps / 2 - 1;
        double[] table = up <= MAX_TABULATED_PHASES ? tabulate(up, taps, before, bandwidth, halfWidth) : null;
        double[] direct = table == null ? new double[taps] : null;

        for (int n = 0; n < out.length; n++) {
            long position = (long) n * down;
            int centre = (int) (position / up);
            int phase = (int) (position % up);
            double[] kernel;
            int base;
            if (table != null) {
                kernel = table;
                base = phase * taps;
            } else {
                kernel = direct;
                base = 0;
                fillPhase(direct, 0, (double) phase / up, taps, before, bandwidth, halfWidth);
            }
            double acc = 0;
            int first = centre - before;
            int from = Math.max(0, -first);
            int to = Math.min(taps, count - first);
            for (int j = from; j < to; j++) {
                acc += kernel[base + j] * in[first + j];
            }
            out[n] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(acc)));
        }
        return out;
    }

    private static double[] tabulate(int phases, int taps, int before, double bandwidth, double halfWidth) {
        double[] table = new double[phases * taps];
        for (int p = 0; p < phases; p++) {
            fillPhase(table, p * taps, (double) p / phases, taps, before, bandwidth, halfWidth);
        }
        return table;
    }

    // Tap j weighs input sample (centre - before + j), which lies (fraction + before - j) input samples before the
    // output position. Each phase is normalised to unit sum so that every phase passes DC exactly; otherwise
    // the truncated kernel would leave a faint tone at the phase-cycling rate.
    private static void fillPhase(double[] into, int base, double fraction, int taps, int before, double bandwidth,
                                  double halfWidth) {
        double sum = 0;
        for (int j = 0; j < taps; j++) {
            double x = fraction + before - j;
            double w = Math.abs(x) >= halfWidth ? 0 : bandwidth * sinc(bandwidth * x) * blackman(x / halfWidth);
            into[base + j] = w;
            sum += w;
        }
        for (int j = 0; j < taps; j++) {
            into[base + j] /= sum;
        }
    }

    private static double sinc(double x) {
        if (x == 0) {
            return 1;
        }
        double px = Math.PI * x;
        return Math.sin(px) / px;
    }

    // Window over [-1, 1], peak 1 at 0.
    private static double blackman(double t) {
        return 0.42 + 0.5 * Math.cos(Math.PI * t) + 0.08 * Math.cos(2 * Math.PI * t);
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
