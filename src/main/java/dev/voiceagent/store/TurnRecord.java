package dev.voiceagent.store;

import java.time.Instant;
import java.util.Map;

/**
 * One spoken turn, stored as soon as it is over.
 *
 * @param seq         position in the call, from 1; (callSid, seq) is unique, so a repeated write is harmless
 * @param text        what the caller said, or what of the agent's reply the caller actually heard
 * @param interrupted the agent was cut off by the caller (or the call ended) before finishing
 * @param timingsMs   per-stage latencies of an agent turn (empty for caller turns)
 */
public record TurnRecord(String callSid, int seq, Role role, String text, Instant startedAt, Instant endedAt,
                         boolean interrupted, Map<String, Long> timingsMs) {

    public enum Role {
        CALLER, AGENT;

        public String sql() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public TurnRecord {
        timingsMs = Map.copyOf(timingsMs);
    }
}
