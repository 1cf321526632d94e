package dev.voiceagent.observe;

import java.util.Map;

/**
 * How storage is doing, for health: whether the database answers, and what is waiting for it.
 *
 * @param up      the database answered the last write or probe
 * @param details shown as they are (database kind, records waiting, after-call backlog by target)
 */
public record StorageCheck(boolean up, Map<String, Object> details) {

    public StorageCheck {
        details = Map.copyOf(details);
    }
}
