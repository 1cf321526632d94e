package dev.voiceagent.audio;

/**
 * Tuning of {@link VoiceActivityDetector}. Levels are in dBFS, margins in dB above the tracked noise floor.
 *
 * @param onsetMarginDb how far above the noise floor a frame must be to start speech
 * @param holdMarginDb  how far above the noise floor a frame must be to continue speech (smaller than the
 *                      onset margin, so the quiet tail of a word is not chopped off)
 * @param minSpeechDbfs absolute level below which nothing is speech, however quiet the line is
 * @param floorWindowMs how far back the noise floor looks; longer than the longest stretch of speech
 *                      without a pause, shorter than the time we accept to adapt to a louder line
 * @param frameMs       duration of one frame handed to the detector
 */
public record VadSettings(double onsetMarginDb, double holdMarginDb, double minSpeechDbfs, int floorWindowMs,
                          int frameMs) {

    public VadSettings {
        if (!(onsetMarginDb >= 0) || !(holdMarginDb >= 0)) {
            throw new IllegalArgumentException("margins must be >= 0 dB: onset " + onsetMarginDb + ", hold "
                    + holdMarginDb);
        }
        if (Double.isNaN(minSpeechDbfs)) {
            throw new IllegalArgumentException("minSpeechDbfs is NaN");
        }
        if (frameMs <= 0 || floorWindowMs < frameMs) {
            throw new IllegalArgumentException("need 0 < frameMs <= floorWindowMs: frameMs " + frameMs
                    + ", floorWindowMs " + floorWindowMs);
        }
    }

    /**
     * Onset 10 dB and hold 6 dB above the floor, nothing below -45 dBFS, 1.5 s floor window, 20 ms frames
     * (the Twilio Media Streams frame).
     */
    public static VadSettings defaults() {
        return new VadSettings(10.0, 6.0, -45.0, 1500, 20);
    }
}
