package dev.voiceagent.store;

import java.time.Instant;

/** A call the agent has started talking on: the first thing stored about it. */
public record CallOpened(String callSid, String streamSid, String from, String to, String personaId,
                         Instant startedAt) {
}
