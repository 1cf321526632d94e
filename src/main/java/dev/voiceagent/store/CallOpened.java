package dev.voiceagent.store;

import java.time.Instant;

/**
 * A call the agent has started talking on: the first thing stored about it. A {@linkplain Channel#WEB web} call has
 * no numbers: {@code from} and {@code to} are empty.
 */
public record CallOpened(String callSid, String streamSid, String from, String to, String personaId,
                         Instant startedAt, Channel channel) {

    /** A phone call. */
    public CallOpened(String callSid, String streamSid, String from, String to, String personaId, Instant startedAt) {
        this(callSid, streamSid, from, to, personaId, startedAt, Channel.PHONE);
    }
}
