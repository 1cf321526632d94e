package dev.voiceagent.fakes;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * RFC 6455 framing shared by both ends the fakes play: {@link WebSocketServerConnection} (a vendor's server) and
 * {@link LoopbackWebSocket} (the load generator's client). Pure functions over bytes and streams; no state.
 */
final class WebSocketFrames {

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;
    /** The close code reported for a close frame that carried none. */
    static final int NO_STATUS = 1005;

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** One frame as read: the FIN bit, the opcode and the payload, unmasked. */
    record Frame(boolean fin, int opcode, byte[] payload) {
    }

    private WebSocketFrames() {
    }

    /** The {@code Sec-WebSocket-Accept} for {@code key}: {@code base64(sha1(key + GUID))}. */
    static String acceptKey(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key.strip() + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is always available", e);
        }
    }

    /**
     * One whole (FIN) frame, header and payload in one array so that it goes out in one write. A client's frames are
     * {@code masked} (the key from {@link ThreadLocalRandom}: masking keeps caching proxies from being fooled, and
     * the fakes only talk over loopback); a server's never are.
     */
    static byte[] encode(int opcode, byte[] payload, boolean masked) {
        int length = payload.length;
        int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        int maskBytes = masked ? 4 : 0;
        byte[] frame = new byte[header + maskBytes + length];
        frame[0] = (byte) (0x80 | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (length < 126) {
            frame[1] = (byte) (maskBit | length);
        } else if (length <= 0xFFFF) {
            frame[1] = (byte) (maskBit | 126);
            frame[2] = (byte) (length >> 8);
            frame[3] = (byte) length;
        } else {
            frame[1] = (byte) (maskBit | 127);
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) length >> (56 - 8 * i));
            }
        }
        if (!masked) {
            System.arraycopy(payload, 0, frame, header, length);
            return frame;
        }
        int mask = ThreadLocalRandom.current().nextInt();
        for (int i = 0; i < 4; i++) {
            frame[header + i] = (byte) (mask >> (24 - 8 * i));
        }
        int at = header + 4;
        for (int i = 0; i < length; i++) {
            frame[at + i] = (byte) (payload[i] ^ frame[header + (i & 3)]);
        }
        return frame;
    }

    /** A close frame's payload: the status code, then the reason (cut to the 125 bytes a control frame may carry). */
    static byte[] closePayload(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + Math.min(text.length, 123)];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, payload.length - 2);
        return payload;
    }

    /** The status code of a close frame's payload, {@link #NO_STATUS} when it carries none. */
    static int closeCode(byte[] payload) {
        return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : NO_STATUS;
    }

    /** The reason of a close frame's payload, empty when it carries none. */
    static String closeReason(byte[] payload) {
        return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
    }

    /**
     * Reads one frame.
     *
     * @param masked   whether the peer must mask its frames (a client's) or must not (a server's)
     * @param maxBytes the largest payload accepted
     * @throws EOFException      when the connection ends before or inside the frame
     * @throws ProtocolException for reserved bits, the wrong masking or a payload over {@code maxBytes}
     */
    static Frame read(InputStream in, boolean masked, int maxBytes) throws IOException {
        int b0 = readByte(in);
        int b1 = readByte(in);
        if ((b0 & 0x70) != 0) {
            throw new ProtocolException("reserved bits set");
        }
        if (((b1 & 0x80) != 0) != masked) {
            throw new ProtocolException(masked ? "client frames must be masked" : "masked frame from the server");
        }
        long length = b1 & 0x7F;
        if (length == 126) {
            length = (readByte(in) << 8) | readByte(in);
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | readByte(in);
            }
        }
        if (length > maxBytes) {
            throw new ProtocolException("frame of " + length + " bytes");
        }
        byte[] mask = masked ? in.readNBytes(4) : null;
        byte[] payload = in.readNBytes((int) length);
        if (masked && mask.length < 4 || payload.length < length) {
            throw new EOFException("connection ended inside a frame");
        }
        if (masked) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i & 3];
            }
        }
        return new Frame((b0 & 0x80) != 0, b0 & 0x0F, payload);
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection ended without a close frame");
        }
        return b;
    }
}
