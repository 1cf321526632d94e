package dev.voiceagent.call;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The calls in progress on this server, for health, metrics, shutdown and admission control. Once
 * {@link #startDraining()} is called the server takes no new calls (the webhook refuses them, readiness
 * reports it) while the calls in progress go on.
 *
 * <p>Admission: the voice webhook {@linkplain #admit reserves} a place for each call it answers; the place
 * is taken over by the call when its media stream starts, and released if the stream never comes within
 * the reservation's lifetime (the stream token's). Calls in progress plus reservations never exceed
 * {@code maxConcurrentCalls}, so reservations are bounded too. Thread-safe; nothing blocks except
 * {@link #awaitEmpty}.
 */
public final class CallRegistry {

    /** Each call in progress (a media-stream {@link CallSession} or a {@link RelaySession}) to how to end it. */
    private final Map<Object, Runnable> active = new ConcurrentHashMap<>();
    /** Call sid to the nanoTime its reservation lapses; guarded by {@code this}. */
    private final Map<String, Long> answered = new HashMap<>();
    private final int maxConcurrentCalls;
    private final long reservationNanos;
    private final LongSupplier nanoTime;
    private volatile boolean draining;

    /** No call cap (tests of the call itself). */
    public CallRegistry() {
        this(Integer.MAX_VALUE, Duration.ofMinutes(2), System::nanoTime);
    }

    /**
     * @param maxConcurrentCalls calls in progress plus answered calls whose stream has not started, at most
     * @param reservationLifetime how long an answered call holds its place waiting for its stream
     * @param nanoTime           monotonic clock
     */
    public CallRegistry(int maxConcurrentCalls, Duration reservationLifetime, LongSupplier nanoTime) {
        if (maxConcurrentCalls < 1) {
            throw new IllegalArgumentException("maxConcurrentCalls must be at least 1: " + maxConcurrentCalls);
        }
        this.maxConcurrentCalls = maxConcurrentCalls;
        this.reservationNanos = reservationLifetime.toNanos();
        this.nanoTime = nanoTime;
    }

    /**
     * Reserves a place for the call the webhook is about to answer. A repeated webhook for a call that
     * already holds a place (a Twilio retry) keeps it.
     *
     * @return false when the server is at its cap: the call must not be connected
     */
    public synchronized boolean admit(String callSid) {
        long now = nanoTime.getAsLong();
        answered.values().removeIf(lapses -> now - lapses >= 0);
        if (answered.containsKey(callSid)) {
            return true;
        }
        if (active.size() + answered.size() >= maxConcurrentCalls) {
            return false;
        }
        answered.put(callSid, now + reservationNanos);
        return true;
    }

    synchronized void add(CallSession session) {
        answered.remove(session.callSid());
        active.put(session, session::terminate);
    }

    void remove(CallSession session) {
        active.remove(session);
    }

    synchronized void add(RelaySession session) {
        answered.remove(session.callSid());
        active.put(session, session::terminate);
    }

    void remove(RelaySession session) {
        active.remove(session);
    }

    public int size() {
        return active.size();
    }

    /** Answered calls whose media stream has not started yet (lapsed reservations included until the next admit). */
    public synchronized int reserved() {
        return answered.size();
    }

    public int maxConcurrentCalls() {
        return maxConcurrentCalls;
    }

    public void startDraining() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    /** Waits until no call is in progress, at most {@code bound}; returns whether none is. */
    public boolean awaitEmpty(Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!active.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return active.isEmpty();
    }

    /** Ends every call in progress (each finishes on its own thread). */
    public void endAll(String reason) {
        active.values().forEach(Runnable::run);
    }
}
