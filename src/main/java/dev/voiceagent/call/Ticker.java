package dev.voiceagent.call;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One clock thread for the timed waits of every call: a media socket's reader resting between frames, the playout
 * pacing its messages, a call thread waiting for its next input or timer. A wait here is an untimed park; this
 * thread wakes once a tick and wakes whoever is due, so the waits of all calls that fall due in the same tick end
 * together and a carrier thread runs them in one go.
 *
 * <p>Why: a timed wait of a virtual thread goes through the JDK's delay scheduler, a platform thread that is woken
 * when the wait is set, again when it is cancelled, and once more when it expires, and each expiry then wakes a
 * carrier. With a few hundred calls that was over ten thousand thread switches a second, a large part of a
 * call's CPU cost (loadtest/README.md, "One clock for every call"). Here it is one wake-up a tick for all calls.
 *
 * <p>The price: a wait ends up to one tick early, never late (but for scheduling): the clock ends, at each tick, the
 * waits that would be late at the next one. So a reader's rest never delays a frame it would have read, and the
 * playout's lead grows by at most a tick instead of shrinking.
 *
 * <p>Thread-safe. {@link #close()} stops the clock; waits still pending then, and any made after, fall back to
 * the JDK's own timed park so nothing hangs at shutdown.
 */
public final class Ticker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Ticker.class.getName());

    /** A pending wait: due at {@code deadline}, {@code wake} run once by the clock thread. */
    private record Wait(long deadline, Runnable wake) {
    }

    private final long tickNanos;
    private final LongSupplier nanoTime;
    private final Set<Wait> waiting = ConcurrentHashMap.newKeySet();
    private final Thread clock;
    private volatile boolean closed;
    /** The clock thread parks without a tick while nothing waits; the first wait then wakes it. */
    private volatile boolean idle;

    /**
     * Starts the clock thread.
     *
     * @param tick     how often the clock wakes; a wait ends at most this much before it is due
     * @param nanoTime the monotonic clock deadlines are read against (System::nanoTime outside tests)
     */
    public Ticker(Duration tick, LongSupplier nanoTime) {
        if (tick.toNanos() <= 0) {
            throw new IllegalArgumentException("tick must be positive: " + tick);
        }
        this.tickNanos = tick.toNanos();
        this.nanoTime = nanoTime;
        this.clock = Thread.ofPlatform().daemon().name("call-ticker").start(this::run);
    }

    /** The clock's current time (ns, as {@code nanoTime}). */
    long now() {
        return nanoTime.getAsLong();
    }

    /** Sleeps {@code nanos}, less up to one tick (a tick or less: returns at once). */
    void sleep(long nanos) throws InterruptedException {
        if (nanos > tickNanos) {
            sleepUntil(now() + nanos);
        }
    }

    /** Sleeps until the clock reads {@code deadline}, less up to one tick. */
    public void sleepUntil(long deadline) throws InterruptedException {
        Thread me = Thread.currentThread();
        Wait wait = new Wait(deadline, () -> LockSupport.unpark(me));
        add(wait);
        try {
            long left;
            while ((left = deadline - now()) > tickNanos) {
                if (closed) {
                    LockSupport.parkNanos(this, left);
                } else {
                    LockSupport.park(this);
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        } finally {
            waiting.remove(wait);
        }
    }

    /**
     * Parks once, until the clock reads {@code deadline} (less up to one tick) or until the thread is unparked,
     * whichever comes first, as {@link LockSupport#parkNanos} does but on this clock: for a thread that others wake
     * early with {@link LockSupport#unpark} when it has new work. Like any park it may also return for no reason, so
     * callers check their own state after it. A deadline within a tick ends at the next tick.
     */
    public void parkUntil(long deadline) {
        Thread me = Thread.currentThread();
        Wait wait = new Wait(deadline, () -> LockSupport.unpark(me));
        add(wait);
        try {
            if (closed) {   // checked after adding, as in sleepUntil: a clock closing meanwhile fired it or is seen
                LockSupport.parkNanos(this, deadline - now());
            } else {
                LockSupport.park(this);
            }
        } finally {
            waiting.remove(wait);
        }
    }

    /**
     * Runs {@code wake} once, on the clock thread, in the last tick before {@code deadline}, unless cancelled first: for a
     * thread that waits on something of its own (an inbox) and is woken by being given something. {@code wake} must
     * be quick and must not block.
     *
     * @return a handle for {@link #cancel}
     */
    Object wakeAt(long deadline, Runnable wake) {
        Wait wait = new Wait(deadline, wake);
        add(wait);
        if (closed) {
            fire(wait);   // no clock any more: wake now; the waiter sees it stopped and waits by itself
        }
        return wait;
    }

    /** Forgets a wake-up set with {@link #wakeAt} (harmless after it ran). */
    void cancel(Object wakeUp) {
        if (wakeUp instanceof Wait wait) {
            waiting.remove(wait);
        }
    }

    /** The tick, in ns: how early a wait may end. */
    public long tickNanos() {
        return tickNanos;
    }

    /** Whether the clock still runs ({@link #close()} not called). */
    boolean running() {
        return !closed;
    }

    /** Waits pending now (for tests). */
    int pending() {
        return waiting.size();
    }

    private void add(Wait wait) {
        waiting.add(wait);
        if (idle) {
            LockSupport.unpark(clock);
        }
    }

    private void run() {
        while (!closed) {
            if (waiting.isEmpty()) {
                idle = true;   // then check again: a wait added meanwhile either is seen here or sees idle and unparks
                if (waiting.isEmpty() && !closed) {
                    LockSupport.park(this);
                }
                idle = false;
                continue;
            }
            LockSupport.parkNanos(this, tickNanos);   // real time: the ticks go on whatever the clock read says
            wakeDue(now());
        }
        waiting.forEach(this::fire);
    }

    private void wakeDue(long now) {
        for (Wait wait : waiting) {
            if (now + tickNanos - wait.deadline() >= 0) {
                fire(wait);
            }
        }
    }

    private void fire(Wait wait) {
        if (waiting.remove(wait)) {
            try {
                wait.wake().run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a timed wake-up failed", e);
            }
        }
    }

    /** Stops the clock; pending sleeps end near their deadlines by the JDK's timed park, wake-ups run now. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(clock);
        try {
            clock.join(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
