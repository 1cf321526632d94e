package dev.voiceagent.fakes;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import static dev.voiceagent.fakes.WebSocketFrames.BINARY;
import static dev.voiceagent.fakes.WebSocketFrames.CLOSE;
import static dev.voiceagent.fakes.WebSocketFrames.CONTINUATION;
import static dev.voiceagent.fakes.WebSocketFrames.NO_STATUS;
import static dev.voiceagent.fakes.WebSocketFrames.PING;
import static dev.voiceagent.fakes.WebSocketFrames.PONG;
import static dev.voiceagent.fakes.WebSocketFrames.TEXT;

/**
 * A small client-side WebSocket (RFC 6455) over one blocking loopback socket, for a load generator's hundreds of
 * simulated Twilio media streams: a send is one socket write on the sending thread, and one virtual thread per
 * connection reads the server's frames and hands them to the {@link WebSocket.Listener}. The JDK's client costs more
 * per message for this traffic (a 20 ms frame per call): every send goes through its sequential scheduler, a
 * {@code CompletableFuture}, a {@code SecureRandom} mask and, often, its selector thread; every received message
 * through the selector thread and an executor hop (the simulator's CPU with each: loadtest/README.md, "The
 * simulator's own WebSocket"). The end-to-end tests keep the JDK's client.
 *
 * <p>What it does: the opening handshake ({@code Sec-WebSocket-Accept} checked; a refused upgrade is an
 * {@link IOException} naming the status), masked client frames ({@link WebSocketFrames}, shared with the fakes'
 * server side), whole text and binary messages out; text, binary,
 * ping (answered with a pong), pong and fragmented messages (delivered whole, {@code last} true) in; and the closing
 * handshake: a close from the server is answered with the same code (unless a close was sent first), then reported.
 * {@link #request(long)} is accepted and ignored: messages are delivered as they are read, one at a time, on the
 * reader thread.
 *
 * <p>Thread-safe: sends are serialised by a lock (so, unlike the JDK's, a second concurrent send waits instead of
 * failing). A send on a failed or closed connection returns a failed future. A send blocks while the server does not
 * read (a socket write has no timeout); {@link #abort()} ends it.
 */
final class LoopbackWebSocket implements WebSocket {

    private static final int MAX_HEAD_BYTES = 16 * 1024;
    private static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Listener listener;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final AtomicBoolean inputClosed = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile boolean outputClosed;

    private LoopbackWebSocket(Socket socket, InputStream in, Listener listener) throws IOException {
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
        this.listener = listener;
    }

    /**
     * Opens a WebSocket to {@code uri} ({@code ws://} only), sending {@code headers} with the upgrade request, and
     * starts delivering the server's messages to {@code listener} ({@code onOpen} first).
     *
     * @throws IOException if the server cannot be reached within {@code timeout} or refuses the upgrade
     */
    static LoopbackWebSocket connect(URI uri, Map<String, String> headers, Listener listener, Duration timeout)
            throws IOException {
        if (!"ws".equals(uri.getScheme())) {
            throw new IllegalArgumentException("only ws:// URIs: " + uri);
        }
        Socket socket = new Socket();
        try {
            int port = uri.getPort() < 0 ? 80 : uri.getPort();
            socket.connect(new InetSocketAddress(uri.getHost(), port), Math.toIntExact(timeout.toMillis()));
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
            InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            handshake(socket.getOutputStream(), in, uri, port, headers);
            socket.setSoTimeout(0);
            LoopbackWebSocket webSocket = new LoopbackWebSocket(socket, in, Objects.requireNonNull(listener));
            Thread.ofVirtual().name("loopback-ws-" + socket.getLocalPort()).start(webSocket::readLoop);
            return webSocket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends a whole text message; a part of one ({@code last} false) is not supported. */
    @Override
    public CompletableFuture<WebSocket> sendText(CharSequence data, boolean last) {
        if (!last) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("only whole messages"));
        }
        return send(TEXT, data.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a whole binary message; a part of one ({@code last} false) is not supported. */
    @Override
    public CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean last) {
        if (!last) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("only whole messages"));
        }
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        return send(BINARY, bytes);
    }

    @Override
    public CompletableFuture<WebSocket> sendPing(ByteBuffer message) {
        byte[] bytes = new byte[message.remaining()];
        message.get(bytes);
        return send(PING, bytes);
    }

    @Override
    public CompletableFuture<WebSocket> sendPong(ByteBuffer message) {
        byte[] bytes = new byte[message.remaining()];
        message.get(bytes);
        return send(PONG, bytes);
    }

    @Override
    public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) {
        CompletableFuture<WebSocket> sent = send(CLOSE, WebSocketFrames.closePayload(statusCode, reason));
        outputClosed = true;
        return sent;
    }

    @Override
    public void request(long n) {
        // Messages are delivered as they are read; there is no buffer for the count to bound.
    }

    @Override
    public String getSubprotocol() {
        return "";
    }

    @Override
    public boolean isOutputClosed() {
        return outputClosed;
    }

    @Override
    public boolean isInputClosed() {
        return inputClosed.get();
    }

    /** Drops the connection at once; the listener hears nothing more (its owner knows why the line went dead). */
    @Override
    public void abort() {
        ended.set(true);
        outputClosed = true;
        inputClosed.set(true);
        closeSocket();
    }

    private CompletableFuture<WebSocket> send(int opcode, byte[] payload) {
        sendLock.lock();
        try {
            if (outputClosed) {
                return CompletableFuture.failedFuture(new IOException("output closed"));
            }
            out.write(WebSocketFrames.encode(opcode, payload, true));
            return CompletableFuture.completedFuture(this);
        } catch (IOException e) {
            outputClosed = true;
            return CompletableFuture.failedFuture(e);
        } finally {
            sendLock.unlock();
        }
    }

    private void readLoop() {
        listener.onOpen(this);
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        int messageOpcode = -1;
        try {
            while (true) {
                WebSocketFrames.Frame frame = WebSocketFrames.read(in, false, MAX_MESSAGE_BYTES - message.size());
                int opcode = frame.opcode();
                byte[] payload = frame.payload();
                boolean fin = frame.fin();
                switch (opcode) {
                    case PING -> send(PONG, payload);
                    case PONG -> listener.onPong(this, ByteBuffer.wrap(payload));
                    case CLOSE -> {
                        closedByServer(payload);
                        return;
                    }
                    case TEXT, BINARY, CONTINUATION -> {
                        if (opcode != CONTINUATION) {
                            messageOpcode = opcode;
                            message.reset();
                        }
                        message.write(payload);
                        if (fin) {
                            deliver(messageOpcode, message.toByteArray());
                            message.reset();
                        }
                    }
                    default -> throw new ProtocolException("unknown opcode " + opcode);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (ended.compareAndSet(false, true)) {
                inputClosed.set(true);
                outputClosed = true;
                closeSocket();
                listener.onError(this, e);
            }
        }
    }

    private void deliver(int opcode, byte[] data) {
        if (opcode == TEXT) {
            listener.onText(this, new String(data, StandardCharsets.UTF_8), true);
        } else {
            listener.onBinary(this, ByteBuffer.wrap(data), true);
        }
    }

    private void closedByServer(byte[] payload) {
        int code = WebSocketFrames.closeCode(payload);
        inputClosed.set(true);
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        if (!outputClosed) {
            sendClose(code == NO_STATUS ? NORMAL_CLOSURE : code, "");   // answered first: the listener sees it done
        }
        listener.onClose(this, code, WebSocketFrames.closeReason(payload));
        closeSocket();
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static void handshake(OutputStream out, InputStream in, URI uri, int port, Map<String, String> headers)
            throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        StringBuilder request = new StringBuilder()
                .append("GET ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(uri.getHost()).append(':').append(port).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();

        String head = readHead(in);
        String statusLine = head.lines().findFirst().orElse("");
        if (!statusLine.matches("HTTP/1\\.1 101( .*)?")) {
            throw new IOException("WebSocket upgrade refused: " + statusLine);
        }
        String accept = head.lines().skip(1)
                .filter(line -> line.regionMatches(true, 0, "Sec-WebSocket-Accept:", 0, 21))
                .map(line -> line.substring(21).strip())
                .findFirst().orElse("");
        if (!accept.equals(WebSocketFrames.acceptKey(key))) {
            throw new IOException("WebSocket upgrade answered with a wrong Sec-WebSocket-Accept: " + accept);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the WebSocket upgrade");
            }
            head.write(b);
            if (head.size() > MAX_HEAD_BYTES) {
                throw new ProtocolException("upgrade response head over " + MAX_HEAD_BYTES + " bytes");
            }
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

}
