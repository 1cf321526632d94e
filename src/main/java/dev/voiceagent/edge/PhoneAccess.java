package dev.voiceagent.edge;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;

/**
 * Who may use the web phone: its page, its persona list and its call socket. A gate of the console session, given
 * the request's peer and headers (a WebSocket's handshake headers; the peer is known once the socket is open).
 * Implementations are stateless or thread-safe, and never block.
 *
 * <p>{@link #loopbackOrAdminKeyCookie} is the stand-in until the console's own session check is wired: swap it for
 * {@code (peer, headers) -> consoleAccess.allows(...)} in {@code Main}.
 */
@FunctionalInterface
public interface PhoneAccess {

    /** The cookie the stand-in reads (the console's session cookie will carry the same name). */
    String SESSION_COOKIE = "va_session";

    /** Whether a request from {@code peer} with {@code headers} may use the web phone. */
    boolean allows(SocketAddress peer, Headers headers);

    /**
     * TEMPORARY stand-in for the console session: without an admin key, only requests from this machine
     * ({@link LocalRequests}: loopback, no proxy header); with one, a {@value #SESSION_COOKIE} cookie equal to the
     * key (a browser WebSocket cannot send {@code Authorization}). Compared in constant time.
     */
    static PhoneAccess loopbackOrAdminKeyCookie(Optional<String> adminApiKey) {
        if (adminApiKey.isEmpty()) {
            return LocalRequests::isLocal;
        }
        byte[] key = adminApiKey.get().getBytes(StandardCharsets.UTF_8);
        return (peer, headers) -> cookie(headers, SESSION_COOKIE)
                .map(v -> MessageDigest.isEqual(key, v.getBytes(StandardCharsets.UTF_8)))
                .orElse(false);
    }

    /** The value of cookie {@code name} in the request's {@code Cookie} header(s), if present. */
    static Optional<String> cookie(Headers headers, String name) {
        if (!headers.contains(HeaderNames.COOKIE)) {
            return Optional.empty();
        }
        for (String header : headers.get(HeaderNames.COOKIE).allValues()) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).strip().equals(name)) {
                    String value = pair.substring(eq + 1).strip();
                    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                        value = value.substring(1, value.length() - 1);
                    }
                    return Optional.of(value);
                }
            }
        }
        return Optional.empty();
    }
}
