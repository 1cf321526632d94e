package dev.voiceagent.fakes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Reading HTTP/1.1 request heads in the small socket-level fakes. */
final class RequestHeads {

    private RequestHeads() {
    }

    /**
     * Reads the next request, head and body, and discards it (these fakes answer by script, not by content).
     *
     * @return false at the end of the stream before a request: the client closed the connection
     */
    static boolean skipRequest(InputStream in) throws IOException {
        int bodyLength = readContentLength(in);
        if (bodyLength < 0) {
            return false;
        }
        in.readNBytes(bodyLength);
        return true;
    }

    /** Reads a request's head; its {@code Content-Length} (0 if none), or -1 at end of stream before a request. */
    private static int readContentLength(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while (matched < 4 && (b = in.read()) >= 0) {
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        if (matched < 4) {
            return -1;
        }
        int length = 0;
        for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        return length;
    }
}
