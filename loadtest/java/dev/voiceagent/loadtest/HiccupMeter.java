package dev.voiceagent.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How late the load generator itself runs, in the manner of jHiccup: a virtual thread (scheduled like the callers'
 * media and playout threads) sleeps {@link #PERIOD} again and again and records how much longer each sleep took.
 * When this is large, the simulator's own sending and arrival stamps were late, and gaps or latencies it reports
 * may be its own rather than the server's. Bounded: at most {@link #MAX_SAMPLES} samples are kept.
 */
final class HiccupMeter implements AutoCloseable {

    static final Duration PERIOD = Duration.ofMillis(10);
    static final int MAX_SAMPLES = 200_000;
    /** A sleep this much late or more is kept with its time as a stall, to set against the gaps' times. */
    static final long STALL_MILLIS = 20;

    private final ReentrantLock lock = new ReentrantLock();
    private final List<Long> latenessMillis = new ArrayList<>();
    private final List<LoadReport.Stall> stalls = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    HiccupMeter() {
        thread = Thread.ofVirtual().name("hiccup-meter").start(this::run);
    }

    /** Lateness of each sleep so far, in milliseconds. */
    List<Long> latenessMillis() {
        lock.lock();
        try {
            return List.copyOf(latenessMillis);
        } finally {
            lock.unlock();
        }
    }

    /** The sleeps that ended {@link #STALL_MILLIS} or more late, with when they ended. */
    List<LoadReport.Stall> stalls() {
        lock.lock();
        try {
            return List.copyOf(stalls);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }

    private void run() {
        try {
            while (running) {
                long before = System.nanoTime();
                Thread.sleep(PERIOD);
                long after = System.nanoTime();
                long late = (after - before - PERIOD.toNanos()) / 1_000_000;
                lock.lock();
                try {
                    if (latenessMillis.size() < MAX_SAMPLES) {
                        latenessMillis.add(Math.max(0, late));
                        if (late >= STALL_MILLIS) {
                            stalls.add(new LoadReport.Stall(after, late));
                        }
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }
}
