package dev.voiceagent.store;

import java.time.Instant;
import java.util.Map;

/** What the agent may know of a caller's earlier call: when, its summary, its facts. */
public record PastCall(String callSid, Instant startedAt, String summary, Map<String, String> facts) {

    public PastCall {
        facts = Map.copyOf(facts);
    }
}
