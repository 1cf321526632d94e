package dev.voiceagent.fakes;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;

/**
 * The one way out to the server, shared by the media sender, the playout thread and the test thread.
 *
 * <p>The JDK WebSocket allows a single outstanding send; a second concurrent one fails with
 * {@code IllegalStateException}. So every send happens under one lock and is awaited before the lock is
 * released. Sequence numbers are assigned under the same lock, so they increase in wire order across all
 * message types, as Twilio's do. A send that does not finish within {@link #SEND_TIMEOUT} (a server that
 * stopped reading) aborts the socket rather than hanging the caller for ever.
 */
final class Outbox {

    /** How long one send may take before the connection is considered dead. */
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);

    private final WebSocket socket;
    private final ReentrantLock lock = new ReentrantLock();
    private long lastSeq;

    /** An outbox writing to {@code socket}. */
    Outbox(WebSocket socket) {
        this.socket = socket;
    }

    /** Sends the message built for the next sequence number (the first is 1). */
    void send(LongFunction<String> messageForSeq) {
        lock.lock();
        try {
            long seq = lastSeq + 1;
            await(socket.sendText(messageForSeq.apply(seq), true));
            lastSeq = seq;
        } finally {
            lock.unlock();
        }
    }

    /** Sends a text frame that takes no sequence number ({@code connected}, or deliberately malformed). */
    void sendUnnumbered(String text) {
        lock.lock();
        try {
            await(socket.sendText(text, true));
        } finally {
            lock.unlock();
        }
    }

    /** Sends a binary frame (which Twilio never does; for protocol tests). */
    void sendBinary(byte[] bytes) {
        lock.lock();
        try {
            await(socket.sendBinary(ByteBuffer.wrap(bytes.clone()), true));
        } finally {
            lock.unlock();
        }
    }

    /** Sends a close frame; the connection ends when the server answers it. */
    void sendClose(int code, String reason) {
        lock.lock();
        try {
            if (!socket.isOutputClosed()) {
                await(socket.sendClose(code, reason));
            }
        } finally {
            lock.unlock();
        }
    }

    private void await(CompletableFuture<WebSocket> sent) {
        try {
            sent.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            // The send may still complete later; the socket cannot be trusted with another one.
            Thread.currentThread().interrupt();
            socket.abort();
            throw new IllegalStateException("interrupted while sending", e);
        } catch (TimeoutException e) {
            socket.abort();
            throw new IllegalStateException("send did not complete within " + SEND_TIMEOUT, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("send failed: " + e.getCause(), e.getCause());
        }
    }
}
