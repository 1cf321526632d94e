package dev.voiceagent.store;

import java.time.Instant;
import java.util.Optional;

/** A call as stored. {@code status} is {@code in_progress}, {@code completed} or {@code abandoned}. */
public record StoredCall(String callSid, String streamSid, String from, String to, String personaId,
                         Instant startedAt, Optional<Instant> endedAt, Optional<Long> durationMs,
                         Optional<String> endReason, String status, Optional<String> summary,
                         Optional<String> sessionOutcome) {
}
