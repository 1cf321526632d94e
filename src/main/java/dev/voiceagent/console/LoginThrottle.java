package dev.voiceagent.console;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Slows down guessing {@code ADMIN_API_KEY} on the sign-in page: each client (the address the request came from,
 * as far as it can be told) gets at most {@code maxFailures} wrong keys per {@code window}; beyond that its
 * attempts are refused unread until the window moves on. Every wrong key also costs the request a fixed delay
 * (applied by the caller). Tracks at most {@code maxClients} clients (the least recently seen is forgotten), so
 * memory is bounded whatever arrives. Thread-safe; never blocks.
 */
final class LoginThrottle {

    private final int maxFailures;
    private final long windowNanos;
    private final int maxClients;
    private final LongSupplier nanoTime;
    private final Map<String, Deque<Long>> failures;

    LoginThrottle(int maxFailures, Duration window, int maxClients, LongSupplier nanoTime) {
        this.maxFailures = maxFailures;
        this.windowNanos = window.toNanos();
        this.maxClients = maxClients;
        this.nanoTime = nanoTime;
        this.failures = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** Whether {@code client} may try a key now. */
    synchronized boolean mayTry(String client) {
        Deque<Long> times = failures.get(client);
        if (times == null) {
            return true;
        }
        prune(times, nanoTime.getAsLong());
        return times.size() < maxFailures;
    }

    /** {@code client} gave a wrong key. */
    synchronized void failed(String client) {
        long now = nanoTime.getAsLong();
        Deque<Long> times = failures.computeIfAbsent(client, c -> new ArrayDeque<>());
        prune(times, now);
        times.addLast(now);
        while (times.size() > maxFailures) {
            times.removeFirst();
        }
        while (failures.size() > maxClients) {
            failures.remove(failures.keySet().iterator().next());
        }
    }

    /** {@code client} signed in: its failures are forgotten. */
    synchronized void succeeded(String client) {
        failures.remove(client);
    }

    private void prune(Deque<Long> times, long now) {
        while (!times.isEmpty() && now - times.peekFirst() >= windowNanos) {
            times.removeFirst();
        }
    }
}
