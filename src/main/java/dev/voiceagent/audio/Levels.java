package dev.voiceagent.audio;

import java.util.Objects;

/**
 * Signal level in dBFS (RMS relative to a full-scale 16-bit square wave), the unit the voice activity
 * detector thinks in.
 */
public final class Levels {

    /** What an all-zero (or empty) signal measures; finite so that level arithmetic never sees -Infinity. */
    public static final double SILENCE_DBFS = -120.0;

    private static final double FULL_SCALE = 32768.0;

    private Levels() {
    }

    /** RMS level of {@code pcm[0..count)} in dBFS, never below {@link #SILENCE_DBFS}. */
    public static double dbfs(short[] pcm, int count) {
        Objects.checkFromIndexSize(0, count, pcm.length);
        double sumSquares = 0;
        for (int i = 0; i < count; i++) {
            double s = pcm[i];
            sumSquares += s * s;
        }
        return toDbfs(sumSquares, count);
    }

    /**
     * RMS level of {@code length} mu-law bytes from {@code offset} in dBFS, never below {@link #SILENCE_DBFS}.
     * Decodes sample by sample so that measuring an inbound frame needs no scratch buffer.
     */
    public static double muLawDbfs(byte[] mulaw, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, mulaw.length);
        double sumSquares = 0;
        for (int i = offset, end = offset + length; i < end; i++) {
            double s = MuLaw.decode(mulaw[i]);
            sumSquares += s * s;
        }
        return toDbfs(sumSquares, length);
    }

    private static double toDbfs(double sumSquares, int count) {
        if (count == 0 || sumSquares == 0) {
            return SILENCE_DBFS;
        }
        double rms = Math.sqrt(sumSquares / count);
        return Math.max(SILENCE_DBFS, 20.0 * Math.log10(rms / FULL_SCALE));
    }
}
