package dev.voiceagent.edge;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import io.helidon.http.Header;
import io.helidon.http.Headers;
import io.helidon.webserver.http.ServerRequest;

/**
 * The one rule for "does this request come from this machine": the peer is a loopback address <em>and</em>
 * the request carries no proxy header. A same-host tunnel (ngrok, cloudflared) or reverse proxy connects
 * from loopback but forwards requests from anywhere, and marks them with {@code Forwarded},
 * {@code X-Forwarded-*}, {@code X-Real-IP} or the like; such a request is remote. Stateless.
 */
public final class LocalRequests {

    /** Headers a proxy or tunnel adds (any {@code X-Forwarded-*} counts too), lower case. */
    private static final Set<String> PROXY_HEADERS = Set.of("forwarded", "x-real-ip", "via", "cf-connecting-ip",
                                                            "true-client-ip", "x-client-ip", "x-original-forwarded-for");

    private LocalRequests() {
    }

    /** Whether {@code req} comes from this machine and not through a proxy. */
    public static boolean isLocal(ServerRequest req) {
        return isLocal(req.remotePeer().address(), req.headers());
    }

    /** Whether a request from {@code peer} with {@code headers} comes from this machine and not through a proxy. */
    public static boolean isLocal(SocketAddress peer, Headers headers) {
        return peer instanceof InetSocketAddress inet && inet.getAddress() != null
               && inet.getAddress().isLoopbackAddress() && proxyHeader(headers).isEmpty();
    }

    /** The first proxy header the request carries, if any. */
    public static Optional<String> proxyHeader(Headers headers) {
        for (Header header : headers) {
            String name = header.name().toLowerCase(Locale.ROOT);
            if (name.startsWith("x-forwarded-") || PROXY_HEADERS.contains(name)) {
                return Optional.of(header.name());
            }
        }
        return Optional.empty();
    }
}
