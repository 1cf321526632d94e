package dev.voiceagent.audio;

/**
 * Tuning of {@link TurnDetector}; chosen per call, because how long a pause ends the caller's turn is part of
 * a persona (a patient receptionist waits longer than a quick order taker).
 *
 * @param minSpeechMs     speech needed before the caller counts as speaking; shorter bursts are clicks
 * @param endOfTurnMs     continuous non-speech that ends the caller's turn
 * @param minTurnSpeechMs total speech a turn needs to be worth transcribing
 */
public record TurnSettings(int minSpeechMs, int endOfTurnMs, int minTurnSpeechMs) {

    public TurnSettings {
        if (minSpeechMs <= 0 || endOfTurnMs <= 0 || minTurnSpeechMs < 0) {
            throw new IllegalArgumentException("need minSpeechMs > 0, endOfTurnMs > 0, minTurnSpeechMs >= 0: "
                    + minSpeechMs + ", " + endOfTurnMs + ", " + minTurnSpeechMs);
        }
    }

    /** 120 ms to start speaking, 600 ms of pause to end the turn, 200 ms of speech for a turn to count. */
    public static TurnSettings defaults() {
        return new TurnSettings(120, 600, 200);
    }

    /** The same settings with a different end-of-turn pause, e.g. from the persona of the call. */
    public TurnSettings withEndOfTurnMs(int endOfTurnMs) {
        return new TurnSettings(minSpeechMs, endOfTurnMs, minTurnSpeechMs);
    }
}
