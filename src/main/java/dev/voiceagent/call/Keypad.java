package dev.voiceagent.call;

import java.time.Duration;
import java.util.Optional;

/**
 * The keys the caller presses, gathered into one input: complete on {@code #} or after a pause in pressing.
 * Call thread only.
 */
final class Keypad {

    /** A pause in pressing this long completes the input. */
    static final Duration PAUSE = Duration.ofMillis(1500);

    /** Keys pressed as one input ("1 2 3 #"), with when the first and last were pressed. */
    record Keys(String keys, long firstNanos, long lastNanos) {
    }

    private final StringBuilder pressed = new StringBuilder();
    private long firstNanos;
    private long lastNanos;

    /** One key; returns the whole input when {@code digit} completes it ({@code #}). */
    Optional<Keys> press(String digit, long now) {
        if (pressed.isEmpty()) {
            firstNanos = now;
        }
        pressed.append(digit).append(' ');
        lastNanos = now;
        return digit.equals("#") ? take() : Optional.empty();
    }

    /** The input, once the caller has stopped pressing for {@link #PAUSE}. */
    Optional<Keys> due(long now) {
        return !pressed.isEmpty() && now - lastNanos >= PAUSE.toNanos() ? take() : Optional.empty();
    }

    /** Whether the caller is in the middle of pressing keys. */
    boolean pressing() {
        return !pressed.isEmpty();
    }

    private Optional<Keys> take() {
        String keys = pressed.toString().strip();
        pressed.setLength(0);
        return keys.isEmpty() ? Optional.empty() : Optional.of(new Keys(keys, firstNanos, lastNanos));
    }
}
