package dev.voiceagent.twilio;

import java.util.concurrent.locks.ReentrantLock;

import io.helidon.websocket.WsSession;

/**
 * Serialises sends on a Helidon {@link WsSession}. Before Helidon 4.5, {@code WsSession.send} shares one
 * buffer without a lock, so two threads sending (the paced audio sender and a barge-in {@code clear})
 * corrupt frames. A {@link ReentrantLock}, not {@code synchronized}, so a blocked send does not pin the
 * virtual thread's carrier.
 */
public final class WsSessionSender implements MediaStreamSender {

    private final WsSession session;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean closed;

    public WsSessionSender(WsSession session) {
        this.session = session;
    }

    @Override
    public void send(String json) {
        if (closed) {
            throw new IllegalStateException("media socket closed");
        }
        lock.lock();
        try {
            session.send(json, true);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close(int code, String reason) {
        if (closed) {
            return;
        }
        closed = true;
        lock.lock();
        try {
            session.close(code, reason);
        } catch (RuntimeException ignored) {
            // Already gone: closing is best effort.
        } finally {
            lock.unlock();
        }
    }
}
