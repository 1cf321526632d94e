package dev.voiceagent.fakes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The head of one HTTP/1.1 request as read off a raw socket: request line and headers, plus the exact bytes read,
 * so that a relay can pass them on unchanged. Immutable.
 *
 * @param headers names case-insensitive, values in arrival order
 * @param raw     the head's bytes, blank line included
 */
record HttpHead(String method, String target, Map<String, List<String>> headers, byte[] raw) {

    /** A head larger than this is refused (the fakes never see one). */
    static final int MAX_BYTES = 16 * 1024;

    /**
     * Reads one head from {@code in} (which should be buffered: it is read byte by byte up to the blank line).
     *
     * @return the head, or {@code null} when the stream ended before one began
     * @throws IOException on a malformed or oversized head, or a stream that ends inside one
     */
    static HttpHead read(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                if (bytes.size() == 0) {
                    return null;
                }
                throw new IOException("stream ended inside an HTTP head");
            }
            bytes.write(b);
            if (bytes.size() > MAX_BYTES) {
                throw new IOException("HTTP head over " + MAX_BYTES + " bytes");
            }
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        byte[] raw = bytes.toByteArray();
        String[] lines = new String(raw, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/")) {
            throw new IOException("not an HTTP request line: " + lines[0]);
        }
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).strip();
            String value = lines[i].substring(colon + 1).strip();
            headers.merge(name, List.of(value), (a, b) -> {
                List<String> all = new java.util.ArrayList<>(a);
                all.addAll(b);
                return List.copyOf(all);
            });
        }
        return new HttpHead(requestLine[0], requestLine[1], Collections.unmodifiableMap(headers), raw);
    }

    /** The first value of a header, or {@code null}. */
    String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** Whether this asks for a WebSocket ({@code Upgrade: websocket}). */
    boolean isWebSocketUpgrade() {
        String upgrade = header("Upgrade");
        return method.equals("GET") && upgrade != null && upgrade.equalsIgnoreCase("websocket");
    }

    /** The raw path of the target, without the query. */
    String path() {
        return URI.create(target).getRawPath();
    }

    /** The raw query of the target, or {@code ""}. */
    String rawQuery() {
        String query = URI.create(target).getRawQuery();
        return query == null ? "" : query;
    }
}
