package dev.voiceagent.fakes;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;

import static dev.voiceagent.fakes.WebSocketFrames.BINARY;
import static dev.voiceagent.fakes.WebSocketFrames.CLOSE;
import static dev.voiceagent.fakes.WebSocketFrames.CONTINUATION;
import static dev.voiceagent.fakes.WebSocketFrames.NO_STATUS;
import static dev.voiceagent.fakes.WebSocketFrames.PING;
import static dev.voiceagent.fakes.WebSocketFrames.PONG;
import static dev.voiceagent.fakes.WebSocketFrames.TEXT;

/**
 * The server side of one RFC 6455 WebSocket on a raw socket, small enough to read: the opening handshake
 * ({@code Sec-WebSocket-Accept}), masked client frames, fragmented messages, ping/pong and the closing handshake.
 * No extensions, no subprotocols.
 * <p>
 * Threads: one thread reads ({@link #read()}); any thread may send: sends are serialised by a lock (a
 * {@link ReentrantLock}, so virtual threads do not pin), and each frame goes out whole.
 */
final class WebSocketServerConnection implements AutoCloseable {

    /** Bound on one message (the fakes' clients send at most seconds of audio at once). */
    static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

    /** A whole message from the client. */
    sealed interface Message {
    }

    record Text(String text) implements Message {
    }

    record Binary(byte[] bytes) implements Message {
    }

    /** The client's close frame; {@code code} is 1005 when it carried none. */
    record Close(int code, String reason) implements Message {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ReentrantLock sendLock = new ReentrantLock();
    private volatile boolean closeSent;

    private WebSocketServerConnection(Socket socket, InputStream in) throws IOException {
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
    }

    /**
     * Completes the opening handshake for {@code head} (already read from {@code in}) with a 101.
     *
     * @throws IOException when the head is not a valid version-13 upgrade (a 400 has then been sent) or the socket fails
     */
    static WebSocketServerConnection accept(Socket socket, InputStream in, HttpHead head) throws IOException {
        String key = head.header("Sec-WebSocket-Key");
        if (key == null || !"13".equals(head.header("Sec-WebSocket-Version"))) {
            refuse(socket, 400, "text/plain", "expected a version 13 WebSocket upgrade with Sec-WebSocket-Key");
            throw new IOException("not a valid WebSocket upgrade");
        }
        WebSocketServerConnection connection = new WebSocketServerConnection(socket, in);
        String response = "HTTP/1.1 101 Switching Protocols\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + WebSocketFrames.acceptKey(key) + "\r\n\r\n";
        connection.out.write(response.getBytes(StandardCharsets.ISO_8859_1));
        connection.out.flush();
        return connection;
    }

    /** Answers the upgrade request with an HTTP error instead, and closes the socket. */
    static void refuse(Socket socket, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason(status) + "\r\n"
                + "Content-Type: " + contentType + "\r\n"
                + "Content-Length: " + bytes.length + "\r\n"
                + "Connection: close\r\n\r\n";
        try (socket) {
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.flush();
            socket.shutdownOutput();
        }
    }

    /**
     * The next whole message. Pings are answered and pongs skipped here. A client close frame is answered with a
     * close (unless one was sent already) and returned; after it, the socket is done.
     *
     * @throws EOFException when the connection ended without a close frame
     * @throws IOException  on a protocol error (a 1002 close has then been sent) or a failed socket
     */
    Message read() throws IOException {
        ByteArrayOutputStream fragments = null;
        int messageType = -1;
        while (true) {
            WebSocketFrames.Frame frame;
            try {
                frame = WebSocketFrames.read(in, true, MAX_MESSAGE_BYTES);
            } catch (ProtocolException e) {
                throw protocolError(e.getMessage());
            }
            int opcode = frame.opcode();
            byte[] payload = frame.payload();
            if (opcode >= 0x8) {
                if (!frame.fin() || payload.length > 125) {
                    throw protocolError("fragmented or oversized control frame");
                }
                switch (opcode) {
                    case PING -> sendFrame(PONG, payload);
                    case PONG -> {
                        // unsolicited pongs are allowed and ignored
                    }
                    case CLOSE -> {
                        int code = WebSocketFrames.closeCode(payload);
                        if (!closeSent) {
                            sendClose(code == NO_STATUS ? 1000 : code, "");
                        }
                        return new Close(code, WebSocketFrames.closeReason(payload));
                    }
                    default -> throw protocolError("unknown control opcode " + opcode);
                }
                continue;
            }
            if (opcode == CONTINUATION) {
                if (fragments == null) {
                    throw protocolError("continuation without a message");
                }
            } else if (opcode == TEXT || opcode == BINARY) {
                if (fragments != null) {
                    throw protocolError("new message inside a fragmented one");
                }
                messageType = opcode;
                if (frame.fin()) {
                    return message(messageType, payload);
                }
                fragments = new ByteArrayOutputStream();
            } else {
                throw protocolError("unknown opcode " + opcode);
            }
            if (fragments.size() + payload.length > MAX_MESSAGE_BYTES) {
                throw protocolError("message over " + MAX_MESSAGE_BYTES + " bytes");
            }
            fragments.write(payload);
            if (frame.fin()) {
                return message(messageType, fragments.toByteArray());
            }
        }
    }

    void sendText(String text) throws IOException {
        sendFrame(TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    void sendBinary(byte[] bytes) throws IOException {
        sendFrame(BINARY, bytes);
    }

    /** Sends a close frame with a status code (once; later calls do nothing). */
    void sendClose(int code, String reason) throws IOException {
        sendCloseFrame(WebSocketFrames.closePayload(code, reason));
    }

    /** Sends a close frame without a status code (what Flux does after {@code CloseStream}). */
    void sendCloseWithoutStatus() throws IOException {
        sendCloseFrame(new byte[0]);
    }

    /** Whether a close frame went out. */
    boolean closeSent() {
        return closeSent;
    }

    /** Drops the TCP connection at once, without a close frame (a reset, as a crashed peer looks). */
    void cut() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // closing anyway
        }
        close();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private void sendCloseFrame(byte[] payload) throws IOException {
        sendLock.lock();
        try {
            if (closeSent) {
                return;
            }
            closeSent = true;
            writeFrame(CLOSE, payload);
        } finally {
            sendLock.unlock();
        }
    }

    private void sendFrame(int opcode, byte[] payload) throws IOException {
        sendLock.lock();
        try {
            if (closeSent) {
                throw new IOException("close frame already sent");
            }
            writeFrame(opcode, payload);
        } finally {
            sendLock.unlock();
        }
    }

    /** Caller holds the send lock. Server frames are never masked. */
    private void writeFrame(int opcode, byte[] payload) throws IOException {
        out.write(WebSocketFrames.encode(opcode, payload, false));
        out.flush();
    }

    private IOException protocolError(String why) {
        try {
            sendClose(1002, why);
        } catch (IOException e) {
            // the socket is failing anyway
        }
        return new IOException("WebSocket protocol error: " + why);
    }

    private static Message message(int type, byte[] payload) {
        return type == TEXT ? new Text(new String(payload, StandardCharsets.UTF_8)) : new Binary(payload);
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
    }
}
