package dev.voiceagent.fakes;

/**
 * The fake streaming STT's ear: a 20 ms frame is speech when its RMS is above {@link #SPEECH_DBFS} and at least
 * {@link #NOISE_MARGIN_DB} above the noise floor, the quietest frame of the last second. The floor is what keeps a
 * steady -30 dBFS white-noise line (the {@code line_noise} and {@code speech_over_noise} clips) from counting as
 * speech on its own: its 20 ms frames spread over about 2.5 dB, never 3 dB above the quietest. Speech keeps its
 * digital-silence or quiet frames within a second, so the floor stays far below it. Over that noise, speech quieter
 * than the noise is lost (the {@code speech_over_noise} clip shows one 320 ms gap inside the sentence).
 * <p>
 * One instance per stream, single-threaded; no allocation per frame.
 */
final class SpeechDetector {

    /** Absolute speech threshold, dBFS. */
    static final double SPEECH_DBFS = -40.0;
    /** How far above the noise floor a frame must be, dB. */
    static final double NOISE_MARGIN_DB = 3.0;
    /** Frames the floor looks back over (1 s). */
    static final int FLOOR_FRAMES = 50;

    private static final double FLOOR_LIMIT_DBFS = -90.0;

    private final double[] recent = new double[FLOOR_FRAMES];
    private int frames;

    /** Classifies one frame of 16-bit samples ({@code samples[0..count)}). */
    boolean isSpeech(short[] samples, int count) {
        double sum = 0;
        for (int i = 0; i < count; i++) {
            sum += (double) samples[i] * samples[i];
        }
        double rms = Math.sqrt(sum / Math.max(1, count));
        double dbfs = Math.max(FLOOR_LIMIT_DBFS, 20 * Math.log10(Math.max(rms, 1e-9) / 32768.0));
        recent[frames % FLOOR_FRAMES] = dbfs;
        frames++;
        double floor = Double.MAX_VALUE;
        for (int i = 0, n = Math.min(frames, FLOOR_FRAMES); i < n; i++) {
            floor = Math.min(floor, recent[i]);
        }
        return dbfs > SPEECH_DBFS && dbfs > floor + NOISE_MARGIN_DB;
    }
}
