package dev.voiceagent.console;

import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.webserver.http.ServerRequest;

import dev.voiceagent.edge.LocalRequests;

/**
 * Who may use the console: its pages, its data endpoints and the web phone's socket. The one gate for all of them.
 * <ul>
 *   <li>With {@code ADMIN_API_KEY} set: a request is allowed when it carries a valid {@link SessionCookie} (signed
 *       with a key derived from {@code ADMIN_API_KEY}, not expired). The cookie is issued by the sign-in page when
 *       the key is typed in ({@link #keyMatches}, constant time).</li>
 *   <li>Without it: the call API's rule, only requests from this machine ({@link LocalRequests}: a loopback peer
 *       and no proxy header), so a console is never open on a public address by accident.</li>
 * </ul>
 * Usable from an HTTP handler ({@link #allows(ServerRequest)}) and from a WebSocket upgrade: Helidon's
 * {@code WsListener.onHttpUpgrade(prologue, headers)} has the headers but not the peer, so call
 * {@link #allows(SocketAddress, Headers)} there with a {@code null} peer when {@link #keyConfigured()} (the cookie
 * decides; throw {@code WsUpgradeException} when refused), and otherwise in {@code onOpen} with
 * {@code session.socketContext().remotePeer().address()} and the headers kept from the upgrade (close with 1008
 * when refused). A {@code null} peer never passes the loopback rule. Immutable and thread-safe; never blocks.
 */
public final class ConsoleAccess {

    /** How long a sign-in lasts. */
    public static final Duration SESSION_LIFETIME = Duration.ofHours(12);

    private final Optional<byte[]> apiKey;
    private final Optional<SessionCookie> cookie;
    private final Optional<URI> publicBaseUrl;

    /**
     * @param adminApiKey   {@code ADMIN_API_KEY}, if set
     * @param publicBaseUrl the configured public origin ({@code PUBLIC_BASE_URL}); a request to its host when it is
     *                      {@code https} is taken to have come over https (the cookie is then Secure)
     */
    public ConsoleAccess(Optional<String> adminApiKey, Optional<URI> publicBaseUrl, Clock clock) {
        Optional<String> key = adminApiKey.filter(k -> !k.isEmpty());
        this.apiKey = key.map(k -> k.getBytes(StandardCharsets.UTF_8));
        this.cookie = key.map(k -> new SessionCookie(k, SESSION_LIFETIME, clock));
        this.publicBaseUrl = publicBaseUrl;
    }

    /** Whether {@code ADMIN_API_KEY} is set (sign-in by cookie); otherwise only this machine is let in. */
    public boolean keyConfigured() {
        return cookie.isPresent();
    }

    /** Whether the HTTP request {@code req} may use the console. */
    public boolean allows(ServerRequest req) {
        return allows(req.remotePeer().address(), req.headers());
    }

    /**
     * Whether a request from {@code peer} (null when not known, as in a WebSocket upgrade) with {@code headers}
     * may use the console: a valid session cookie when the key is set, else a direct request from this machine.
     */
    public boolean allows(SocketAddress peer, Headers headers) {
        if (cookie.isEmpty()) {
            return peer != null && LocalRequests.isLocal(peer, headers);
        }
        return allowsCookies(cookieHeaders(headers));
    }

    /**
     * Whether one of these {@code Cookie} header values carries a valid session; always false without
     * {@code ADMIN_API_KEY} (then only the loopback rule of {@link #allows(SocketAddress, Headers)} lets anyone in).
     */
    public boolean allowsCookies(List<String> cookieHeaderValues) {
        return cookie.isPresent()
               && SessionCookie.values(cookieHeaderValues).stream().anyMatch(cookie.get()::valid);
    }

    /** Whether {@code given} is {@code ADMIN_API_KEY} (constant time); false when no key is set. */
    public boolean keyMatches(String given) {
        return apiKey.isPresent() && given != null
               && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), apiKey.get());
    }

    /** The {@code Set-Cookie} value that signs in the browser that sent {@code req}. Needs the key. */
    public String signInCookie(ServerRequest req) {
        return cookie.orElseThrow(() -> new IllegalStateException("ADMIN_API_KEY is not set"))
                .setCookieHeader(overHttps(req.isSecure(), req.headers()));
    }

    /** The {@code Set-Cookie} value that signs out the browser that sent {@code req}. */
    public String signOutCookie(ServerRequest req) {
        return SessionCookie.clearCookieHeader(overHttps(req.isSecure(), req.headers()));
    }

    /**
     * Whether the browser's request came over https: TLS on this socket, or a proxy saying so
     * ({@code X-Forwarded-Proto: https}, {@code Forwarded: proto=https}; Railway's edge sets the former), or a
     * request addressed to the configured public {@code https} origin's host (which only a TLS-terminating proxy
     * in front of this server serves).
     */
    boolean overHttps(boolean tls, Headers headers) {
        if (tls) {
            return true;
        }
        for (Header h : headers) {
            String name = h.name().toLowerCase(Locale.ROOT);
            for (String value : h.allValues()) {
                String v = value.toLowerCase(Locale.ROOT);
                if (name.equals("x-forwarded-proto") && v.split(",")[0].strip().equals("https")) {
                    return true;
                }
                if (name.equals("forwarded") && v.replace(" ", "").contains("proto=https")) {
                    return true;
                }
            }
        }
        Optional<String> host = headers.first(HeaderNames.HOST).map(h -> h.replaceFirst(":\\d+$", "").toLowerCase(Locale.ROOT));
        return publicBaseUrl.filter(u -> "https".equalsIgnoreCase(u.getScheme()) && u.getHost() != null)
                .map(u -> host.filter(u.getHost().toLowerCase(Locale.ROOT)::equals).isPresent())
                .orElse(false);
    }

    private static List<String> cookieHeaders(Headers headers) {
        List<String> values = new ArrayList<>();
        if (headers.contains(HeaderNames.COOKIE)) {
            values.addAll(headers.get(HeaderNames.COOKIE).allValues());
        }
        return values;
    }
}
