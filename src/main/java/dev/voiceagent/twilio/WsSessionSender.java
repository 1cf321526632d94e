package dev.voiceagent.twilio;

import io.helidon.websocket.WsSession;

/**
 * Sends on a Helidon {@link WsSession} for the call. Any thread: since Helidon 4.5.0 {@code WsSession.send} and
 * {@code close} take the session's own {@code ReentrantLock} (so concurrent senders, such as the paced audio sender
 * and a barge-in {@code clear}, no longer corrupt each other's frames, and a blocked send does not pin a carrier), and
 * a second {@code close} is a no-op; so no lock of our own. What stays here: after {@link #close}, {@link #send} throws
 * at once, and a send on a socket that is gone throws, which the call takes as the end of the call.
 */
public final class WsSessionSender implements MediaStreamSender {

    private final WsSession session;
    private volatile boolean closed;

    public WsSessionSender(WsSession session) {
        this.session = session;
    }

    @Override
    public void send(String json) {
        if (closed) {
            throw new IllegalStateException("media socket closed");
        }
        session.send(json, true);
    }

    @Override
    public void close(int code, String reason) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            session.close(code, reason);
        } catch (RuntimeException ignored) {
            // Already gone: closing is best effort.
        }
    }
}
