package dev.voiceagent.call;

/**
 * What listening to one caller turn cost, for the per-turn log and metrics.
 *
 * @param recognizer   {@code nova-3}, {@code flux} or {@code whisper} (batch, configured or fallen back to)
 * @param audioSeconds caller audio streamed to the live recogniser since the previous turn
 * @param finalizes    {@code Finalize} messages sent since the previous turn
 * @param reconnects   times the live recogniser's socket was reopened since the previous turn
 * @param fellBack     whether this turn was transcribed in batch because the live recogniser failed
 */
record TurnListeningCost(String recognizer, double audioSeconds, int finalizes, int reconnects, boolean fellBack) {
}
