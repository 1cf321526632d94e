package dev.voiceagent.fakes;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP/1.1 server whose answers arrive at a pace the test sets: each request takes the next scripted
 * {@link Answer} (a wait before the head, then a chunked body sent piece by piece with a pause before each piece,
 * and optionally no end at all: the connection then stays open and silent until the client gives up). Connections are
 * kept alive; over plain TCP or TLS (the test certificate of {@link ConnectionCountingServer}). What a streaming
 * vendor looks like when it is slow, steady or stuck.
 */
public final class PacedAnswerServer implements AutoCloseable {

    /**
     * One answer.
     *
     * @param beforeHead wait before the status line and headers
     * @param pieces     the body's pieces, each sent as one chunk
     * @param beforeEach wait before each piece
     * @param ends       whether the body ends (the last chunk) after the pieces; if not, the server goes silent
     */
    public record Answer(Duration beforeHead, List<String> pieces, Duration beforeEach, boolean ends) {

        public Answer {
            Objects.requireNonNull(beforeHead, "beforeHead");
            pieces = List.copyOf(pieces);
            Objects.requireNonNull(beforeEach, "beforeEach");
        }

        /** An answer sent at once. */
        public static Answer prompt(String... pieces) {
            return new Answer(Duration.ZERO, List.of(pieces), Duration.ZERO, true);
        }

        /** The pieces sent {@code gap} apart. */
        public static Answer paced(Duration gap, String... pieces) {
            return new Answer(Duration.ZERO, List.of(pieces), gap, true);
        }

        /** The head and the pieces at once, then nothing more. */
        public static Answer stuckAfter(String... pieces) {
            return new Answer(Duration.ZERO, List.of(pieces), Duration.ZERO, false);
        }

        /** Nothing at all for {@code wait}, then the pieces. */
        public static Answer headLate(Duration wait, String... pieces) {
            return new Answer(wait, List.of(pieces), Duration.ZERO, true);
        }
    }

    private final Queue<Answer> script = new ConcurrentLinkedQueue<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final LoopbackListener listener;

    private PacedAnswerServer(boolean tls) {
        this.listener = new LoopbackListener("paced-server", tls, socket -> {
            connections.incrementAndGet();
            return () -> serve(socket);
        });
    }

    public static PacedAnswerServer plain() {
        return new PacedAnswerServer(false);
    }

    public static PacedAnswerServer overTls() {
        return new PacedAnswerServer(true);
    }

    /** Queues answers for the next requests, in order; a request with none left gets {@code prompt("ok")}. */
    public PacedAnswerServer then(Answer... answers) {
        script.addAll(List.of(answers));
        return this;
    }

    /** {@code http://127.0.0.1:port/} or {@code https://localhost:port/}. */
    public URI baseUri() {
        return listener.baseUri();
    }

    /** TCP connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    @Override
    public void close() {
        listener.close();
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                if (!RequestHeads.skipRequest(in)) {
                    return;
                }
                Answer answer = Objects.requireNonNullElse(script.poll(), Answer.prompt("ok"));
                Thread.sleep(answer.beforeHead());
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
                                  .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                for (String piece : answer.pieces()) {
                    Thread.sleep(answer.beforeEach());
                    byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
                    out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(bytes);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                if (!answer.ends()) {
                    in.transferTo(OutputStream.nullOutputStream());   // silent until the client closes
                    return;
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException e) {
            // the client went away, or close()
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
