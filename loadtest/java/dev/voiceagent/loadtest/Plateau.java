package dev.voiceagent.loadtest;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The moments of a run at which the server is sampled, and the hold that makes the heap sample fair: every call,
 * once through its turns, stays on the line (quietly streaming silence, as a caller thinking does) until the heap
 * was sampled with all calls connected, so "heap per active call" is measured with all N calls active, and the
 * forced full GC of that sample cannot stall anyone's audio. Each call reports each stage once, failed or not, so
 * no wait here depends on every call succeeding. Thread-safe.
 */
final class Plateau {

    private final CountDownLatch greeted;
    private final CountDownLatch firstDone = new CountDownLatch(1);
    private final CountDownLatch allDone;
    private final CountDownLatch sampled = new CountDownLatch(1);
    private final AtomicInteger holding = new AtomicInteger();

    Plateau(int calls) {
        this.greeted = new CountDownLatch(calls);
        this.allDone = new CountDownLatch(calls);
    }

    /** One call heard its greeting (or gave up before): it is in conversation. */
    void greeted() {
        greeted.countDown();
    }

    /** One call finished its turns, and holds the line if {@code holding} (it failed otherwise). */
    void turnsDone(boolean holding) {
        if (holding) {
            this.holding.incrementAndGet(); // before the count-down, so a sample never misses a holder
        }
        firstDone.countDown();
        allDone.countDown();
    }

    /** How many calls hold the line, all turns done and still connected. */
    int holding() {
        return holding.get();
    }

    /** The heap sample was taken (or the run gave up on it): holding calls may hang up. */
    void sampled() {
        sampled.countDown();
    }

    boolean awaitAllGreeted(Duration timeout) throws InterruptedException {
        return greeted.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    boolean awaitFirstDone(Duration timeout) throws InterruptedException {
        return firstDone.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    boolean awaitAllDone(Duration timeout) throws InterruptedException {
        return allDone.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    boolean awaitSampled(Duration timeout) throws InterruptedException {
        return sampled.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
