package dev.voiceagent.store;

import java.time.Instant;

/** How and when a call ended. */
public record CallClosed(String callSid, Instant endedAt, long durationMs, String endReason) {
}
