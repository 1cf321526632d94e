package dev.voiceagent.store;

import java.time.Instant;
import java.util.Optional;

/**
 * A call as stored. {@code status} is {@code in_progress}, {@code completed} or {@code abandoned}. A
 * {@linkplain Channel#WEB web} call has empty {@code from} and {@code to}.
 */
public record StoredCall(String callSid, String streamSid, String from, String to, String personaId,
                         Instant startedAt, Optional<Instant> endedAt, Optional<Long> durationMs,
                         Optional<String> endReason, String status, Optional<String> summary,
                         Optional<String> sessionOutcome, Channel channel) {

    /** A phone call. */
    public StoredCall(String callSid, String streamSid, String from, String to, String personaId,
                      Instant startedAt, Optional<Instant> endedAt, Optional<Long> durationMs,
                      Optional<String> endReason, String status, Optional<String> summary,
                      Optional<String> sessionOutcome) {
        this(callSid, streamSid, from, to, personaId, startedAt, endedAt, durationMs, endReason, status, summary,
             sessionOutcome, Channel.PHONE);
    }
}
