package dev.voiceagent.crm;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Holds a client's requests back while a vendor has said its rate-limit window is used up, so that a burst of
 * finished calls waits for the window instead of collecting 429s. Thread-safe; the longest hold asked for wins.
 */
final class RequestPacer {

    private final Duration maxHold;
    /** {@link System#nanoTime()} before which no request should leave. */
    private final AtomicLong quietUntil = new AtomicLong(System.nanoTime());

    /** @param maxHold the longest a single hold may last, whatever the vendor said */
    RequestPacer(Duration maxHold) {
        this.maxHold = Objects.requireNonNull(maxHold, "maxHold");
    }

    /** No request before {@code wait} from now (at most {@code maxHold}); an earlier deadline is pushed out, never in. */
    void holdFor(Duration wait) {
        long nanos = Math.min(Math.max(0, wait.toNanos()), maxHold.toNanos());
        long until = System.nanoTime() + nanos;
        quietUntil.accumulateAndGet(until, (current, next) -> next - current > 0 ? next : current);
    }

    /** How long until the current hold is over; zero when there is none. */
    Duration remainingHold() {
        long left = quietUntil.get() - System.nanoTime();
        return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
    }

    /**
     * Sleeps until the hold, if any, is over.
     *
     * @return how long it slept
     * @throws InterruptedException when the caller is cancelled meanwhile
     */
    Duration awaitTurn() throws InterruptedException {
        long start = System.nanoTime();
        long left = quietUntil.get() - start;
        while (left > 0) {
            Thread.sleep(Duration.ofNanos(left));
            left = quietUntil.get() - System.nanoTime(); // another response may have extended the hold meanwhile
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
