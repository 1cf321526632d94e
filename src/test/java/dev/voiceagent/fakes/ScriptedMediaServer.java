package dev.voiceagent.fakes;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A stand-in for the voice-agent server in {@link FakeTwilioCallerTest}: a Helidon WebSocket endpoint at
 * {@code /media} that records what the caller sends and lets the test script what the "agent" sends back.
 * An upgrade carrying {@code X-Twilio-Signature: reject} is refused.
 */
final class ScriptedMediaServer implements AutoCloseable {

    /** The signature value that makes the upgrade fail. */
    static final String REJECTED_SIGNATURE = "reject";

    private final BlockingQueue<Connection> opened = new LinkedBlockingQueue<>();
    private final WebServer server;

    /** Starts on a free port. */
    ScriptedMediaServer() {
        server = WebServer.builder()
                .port(0)
                .addRouting(WsRouting.builder().endpoint("/media", () -> new Connection(opened::add)))
                .build()
                .start();
    }

    /** The endpoint's {@code ws://} address. */
    URI uri() {
        return URI.create("ws://localhost:" + server.port() + "/media");
    }

    /** The next connection the server accepted. */
    Connection awaitConnection(Duration timeout) throws InterruptedException {
        Connection connection = opened.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (connection == null) {
            throw new AssertionError("no connection within " + timeout);
        }
        return connection;
    }

    @Override
    public void close() {
        server.stop();
    }

    /**
     * One accepted call. Helidon 4.1.2's {@code WsSession.send} is not thread-safe, so everything the test
     * asks to send is queued and sent by one virtual thread.
     */
    static final class Connection implements WsListener {

        /** A text frame from the caller and when it arrived. */
        record Frame(long nanos, String text) {
        }

        private final Consumer<Connection> onOpen;
        private final List<Frame> frames = new CopyOnWriteArrayList<>();
        private final BlockingQueue<Consumer<WsSession>> outbound = new LinkedBlockingQueue<>();
        private final CountDownLatch closed = new CountDownLatch(1);
        private volatile int closeStatus = -1;

        Connection(Consumer<Connection> onOpen) {
            this.onOpen = onOpen;
        }

        @Override
        public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
            Optional<String> signature = headers.first(HeaderNames.create("X-Twilio-Signature"));
            if (signature.filter(REJECTED_SIGNATURE::equals).isPresent()) {
                throw new WsUpgradeException("bad signature");
            }
            return Optional.empty();
        }

        @Override
        public void onOpen(WsSession session) {
            Thread.ofVirtual().name("scripted-server-sender").start(() -> pump(session));
            onOpen.accept(this);
        }

        @Override
        public void onMessage(WsSession session, String text, boolean last) {
            frames.add(new Frame(System.nanoTime(), text));
        }

        @Override
        public void onClose(WsSession session, int status, String reason) {
            closeStatus = status;
            closed.countDown();
            outbound.add(s -> Thread.currentThread().interrupt());
        }

        /** Queues a text frame to the caller; returns when it was queued, not sent. */
        void send(String text) {
            outbound.add(s -> s.send(text, true));
        }

        /** Queues a binary frame (a protocol error on a Twilio stream). */
        void sendBinary(byte[] bytes) {
            outbound.add(s -> s.send(BufferData.create(bytes), true));
        }

        /** Queues a normal close. */
        void closeNormally() {
            outbound.add(s -> s.close(1000, "bye"));
        }

        /** Every text frame received so far. */
        List<Frame> frames() {
            return List.copyOf(frames);
        }

        /** True if a close frame arrived within {@code timeout}. */
        boolean awaitCloseFrame(Duration timeout) throws InterruptedException {
            return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** The close status received, or -1. */
        int closeStatus() {
            return closeStatus;
        }

        private void pump(WsSession session) {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    outbound.take().accept(session);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // The caller is gone; nothing more to send.
            }
        }
    }
}
