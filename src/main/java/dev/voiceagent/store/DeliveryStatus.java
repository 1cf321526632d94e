package dev.voiceagent.store;

import java.time.Instant;
import java.util.Optional;

/**
 * Where one piece of after-call work stands.
 *
 * @param target {@code extraction}, {@code gohighlevel} or {@code webhook}
 * @param status {@code pending}, {@code delivered} or {@code failed}
 */
public record DeliveryStatus(String target, String status, int attempts, Optional<String> lastError,
                             Instant nextAttemptAt, Instant updatedAt) {
}
