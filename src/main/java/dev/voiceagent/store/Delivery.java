package dev.voiceagent.store;

import java.time.Instant;
import java.util.Map;

/**
 * One claimed piece of after-call work (an outbox row).
 *
 * @param target   {@code extraction}, {@code gohighlevel} or {@code webhook}
 * @param attempts attempts made before this one
 * @param progress steps already done, by name (e.g. {@code contactId}, {@code noteId}, {@code tagged}); kept
 *                 across attempts and restarts so a retry never repeats a step
 */
public record Delivery(long id, String callSid, String target, int attempts, Instant giveUpAt,
                       Map<String, String> progress) {

    public Delivery {
        progress = Map.copyOf(progress);
    }
}
