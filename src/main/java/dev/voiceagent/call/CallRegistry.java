package dev.voiceagent.call;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The calls in progress on this server, for health, metrics and shutdown. Once {@link #startDraining()}
 * is called the server takes no new calls (the webhook refuses them, readiness reports it) while the
 * calls in progress go on.
 */
public final class CallRegistry {

    private final Set<CallSession> active = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    void add(CallSession session) {
        active.add(session);
    }

    void remove(CallSession session) {
        active.remove(session);
    }

    public int size() {
        return active.size();
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
        active.forEach(CallSession::terminate);
    }
}
