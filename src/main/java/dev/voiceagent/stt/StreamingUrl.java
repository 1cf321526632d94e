package dev.voiceagent.stt;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The WebSocket URL of a Workers AI streaming model, derived from the REST API base: the same host and path prefix,
 * {@code https} becoming {@code wss} and {@code http} becoming {@code ws}
 * ({@code wss://api.cloudflare.com/client/v4/accounts/{id}/ai/run/@cf/deepgram/nova-3?encoding=mulaw&…}).
 * A pure function; query values are percent-encoded, the run path (with its literal {@code @} and {@code /}) is not.
 */
final class StreamingUrl {

    private StreamingUrl() {
    }

    /**
     * @param apiBase the REST base, e.g. {@code https://api.cloudflare.com/client/v4} (no trailing slash)
     * @param runPath {@code /accounts/{id}/ai/run/{model}}
     * @param query   parameters in the order they should appear
     * @throws IllegalArgumentException for a base that is not http(s) or ws(s)
     */
    static URI of(URI apiBase, String runPath, Map<String, String> query) {
        Objects.requireNonNull(apiBase, "apiBase");
        Objects.requireNonNull(runPath, "runPath");
        String scheme = switch (String.valueOf(apiBase.getScheme()).toLowerCase(java.util.Locale.ROOT)) {
            case "https", "wss" -> "wss";
            case "http", "ws" -> "ws";
            default -> throw new IllegalArgumentException("API base must be http(s): " + apiBase);
        };
        String base = apiBase.toString();
        base = base.substring(base.indexOf(':'));
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        String params = query.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        return URI.create(scheme + base + runPath + (params.isEmpty() ? "" : "?" + params));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
