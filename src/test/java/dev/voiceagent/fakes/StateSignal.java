package dev.voiceagent.fakes;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Lets test threads wait for a condition over the caller's state. Every state change calls
 * {@link #changed()}; waiters also re-check every {@link #RECHECK} because some conditions become true
 * merely by time passing ("no audio for 500 ms"). A lock and condition are used instead of
 * {@code synchronized} so that waiting virtual threads never pin their carrier.
 */
final class StateSignal {

    /** Upper bound on how stale a time-based condition may be when it is re-checked. */
    static final Duration RECHECK = Duration.ofMillis(5);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    /** Wakes every waiter to re-check its condition. */
    void changed() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until {@code condition} holds or {@code timeout} passes. Returns whether it holds; an interrupt
     * ends the wait early (returning false) and keeps the thread's interrupt flag set.
     */
    boolean await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!condition.getAsBoolean()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                changed.awaitNanos(Math.min(remaining, RECHECK.toNanos()));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }
}
