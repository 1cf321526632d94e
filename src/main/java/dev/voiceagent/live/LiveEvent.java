package dev.voiceagent.live;

import java.time.Instant;
import java.util.Map;

/**
 * What happens on a call in progress, as the live console sees it. Immutable. Numbers and words are as the call
 * recorded them (unmasked): a view masks what it shows.
 */
public sealed interface LiveEvent {

    /** The call this event belongs to. */
    String callSid();

    /** A call has started talking. */
    record Started(String callSid, String personaId, String from, String to, Instant startedAt) implements LiveEvent {
    }

    /**
     * A turn is over.
     *
     * @param role        {@code caller} or {@code agent}
     * @param text        what the caller said, or what of the agent's reply the caller heard
     * @param interrupted an agent reply cut off by the caller talking over it (barge-in) or by the call ending
     * @param timingsMs   the answer's per-stage latencies (empty for caller turns and fixed phrases)
     */
    record Turn(String callSid, int seq, String role, String text, boolean interrupted, Instant startedAt,
                Instant endedAt, Map<String, Long> timingsMs) implements LiveEvent {

        public Turn {
            timingsMs = Map.copyOf(timingsMs);
        }
    }

    /** A call has ended. */
    record Ended(String callSid, Instant endedAt, long durationMs, String endReason) implements LiveEvent {
    }
}
