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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

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
 * {@link IOException} naming the status), masked client frames (the mask from {@link ThreadLocalRandom}: it keeps
 * caching proxies from being fooled, and there is none on loopback), whole text and binary messages out; text, binary,
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

    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int MAX_HEAD_BYTES = 16 * 1024;
    private static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
    private static final int OP_CONTINUATION = 0x0;
    private static final int OP_TEXT = 0x1;
    private static final int OP_BINARY = 0x2;
    private static final int OP_CLOSE = 0x8;
    private static final int OP_PING = 0x9;
    private static final int OP_PONG = 0xA;
    private static final int NO_STATUS = 1005;

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
        return send(OP_TEXT, data.toString().getBytes(StandardCharsets.UTF_8), true);
    }

    /** Sends a whole binary message; a part of one ({@code last} false) is not supported. */
    @Override
    public CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean last) {
        if (!last) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("only whole messages"));
        }
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        return send(OP_BINARY, bytes, true);
    }

    @Override
    public CompletableFuture<WebSocket> sendPing(ByteBuffer message) {
        byte[] bytes = new byte[message.remaining()];
        message.get(bytes);
        return send(OP_PING, bytes, true);
    }

    @Override
    public CompletableFuture<WebSocket> sendPong(ByteBuffer message) {
        byte[] bytes = new byte[message.remaining()];
        message.get(bytes);
        return send(OP_PONG, bytes, true);
    }

    @Override
    public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + text.length];
        payload[0] = (byte) (statusCode >> 8);
        payload[1] = (byte) statusCode;
        System.arraycopy(text, 0, payload, 2, text.length);
        CompletableFuture<WebSocket> sent = send(OP_CLOSE, payload, true);
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

    private CompletableFuture<WebSocket> send(int opcode, byte[] payload, boolean fin) {
        sendLock.lock();
        try {
            if (outputClosed) {
                return CompletableFuture.failedFuture(new IOException("output closed"));
            }
            out.write(frame(opcode, payload, fin));
            return CompletableFuture.completedFuture(this);
        } catch (IOException e) {
            outputClosed = true;
            return CompletableFuture.failedFuture(e);
        } finally {
            sendLock.unlock();
        }
    }

    /** One masked client frame, header and payload in one array so that it goes out in one write. */
    static byte[] frame(int opcode, byte[] payload, boolean fin) {
        int length = payload.length;
        int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        byte[] frame = new byte[header + 4 + length];
        frame[0] = (byte) ((fin ? 0x80 : 0) | opcode);
        if (length < 126) {
            frame[1] = (byte) (0x80 | length);
        } else if (length <= 0xFFFF) {
            frame[1] = (byte) (0x80 | 126);
            frame[2] = (byte) (length >> 8);
            frame[3] = (byte) length;
        } else {
            frame[1] = (byte) (0x80 | 127);
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) length >> (56 - 8 * i));
            }
        }
        int mask = ThreadLocalRandom.current().nextInt();
        int at = header;
        for (int i = 0; i < 4; i++) {
            frame[at + i] = (byte) (mask >> (24 - 8 * i));
        }
        at += 4;
        for (int i = 0; i < length; i++) {
            frame[at + i] = (byte) (payload[i] ^ frame[header + (i & 3)]);
        }
        return frame;
    }

    private void readLoop() {
        listener.onOpen(this);
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        int messageOpcode = -1;
        try {
            while (true) {
                int b0 = in.read();
                if (b0 < 0) {
                    throw new EOFException("connection closed without a close frame");
                }
                boolean fin = (b0 & 0x80) != 0;
                int opcode = b0 & 0x0F;
                int b1 = readByte();
                if ((b1 & 0x80) != 0) {
                    throw new ProtocolException("masked frame from the server");
                }
                long length = b1 & 0x7F;
                if (length == 126) {
                    length = (readByte() << 8) | readByte();
                } else if (length == 127) {
                    length = 0;
                    for (int i = 0; i < 8; i++) {
                        length = (length << 8) | readByte();
                    }
                }
                if (length > MAX_MESSAGE_BYTES || message.size() + length > MAX_MESSAGE_BYTES) {
                    throw new ProtocolException("message over " + MAX_MESSAGE_BYTES + " bytes");
                }
                byte[] payload = in.readNBytes((int) length);
                if (payload.length < length) {
                    throw new EOFException("connection closed inside a frame");
                }
                switch (opcode) {
                    case OP_PING -> send(OP_PONG, payload, true);
                    case OP_PONG -> listener.onPong(this, ByteBuffer.wrap(payload));
                    case OP_CLOSE -> {
                        closedByServer(payload);
                        return;
                    }
                    case OP_TEXT, OP_BINARY, OP_CONTINUATION -> {
                        if (opcode != OP_CONTINUATION) {
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
        if (opcode == OP_TEXT) {
            listener.onText(this, new String(data, StandardCharsets.UTF_8), true);
        } else {
            listener.onBinary(this, ByteBuffer.wrap(data), true);
        }
    }

    private void closedByServer(byte[] payload) {
        int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : NO_STATUS;
        String reason = payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        inputClosed.set(true);
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        if (!outputClosed) {
            sendClose(code == NO_STATUS ? NORMAL_CLOSURE : code, "");   // answered first: the listener sees it done
        }
        listener.onClose(this, code, reason);
        closeSocket();
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection closed inside a frame header");
        }
        return b;
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
        if (!accept.equals(acceptFor(key))) {
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

    /** The {@code Sec-WebSocket-Accept} a server must answer to {@code key} (RFC 6455 section 4.2.2). */
    static String acceptFor(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is always available", e);
        }
    }
}
