package dev.voiceagent.fakes;

/**
 * A stutter in the agent's audio as the emulated Twilio played it (see {@link GapDetector}).
 *
 * @param millis   how long the caller heard nothing
 * @param endNanos when the audio came again ({@link System#nanoTime()})
 */
public record Gap(long millis, long endNanos) {
}
