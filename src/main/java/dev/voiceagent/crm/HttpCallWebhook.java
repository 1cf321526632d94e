package dev.voiceagent.crm;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

import dev.voiceagent.vendor.VendorHttp;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;

/**
 * {@link CallWebhook} as one JSON POST to the operator's URL, e.g. a GoHighLevel workflow's "Inbound Webhook" trigger
 * ({@code https://services.leadconnectorhq.com/hooks/{locationId}/webhook-trigger/{uuid}}; third-party docs say it
 * takes any JSON and needs no auth header, the URL being the secret: <b>unconfirmed</b>).
 * <pre>
 * POST {url}   Content-Type: application/json   Accept: application/json   Idempotency-Key: {callSid}
 * {the call's record}
 * </pre>
 * Any 2xx is a delivery, whatever the body (of which at most {@value #MAX_RESPONSE_BYTES} bytes are read). Other statuses, timeouts and refused connections are
 * {@link dev.voiceagent.vendor.VendorException}s of vendor {@code "crm-webhook"}; a 429 or 503 carries its
 * {@code Retry-After}. A delivery the caller retries carries the same {@code Idempotency-Key}, so a receiver that
 * honours it drops the repeat. One request per call of {@link #post}; retrying is the caller's decision.
 * <p>
 * The URL often is the only credential, so neither it nor its path appears in exception messages.
 */
public final class HttpCallWebhook implements CallWebhook {

    /** Most of a 2xx answer's body that is read; the rest is never looked at. */
    public static final int MAX_RESPONSE_BYTES = 64 * 1024;
    private static final HeaderName IDEMPOTENCY_KEY = HeaderNames.create("Idempotency-Key");
    /** A path or query shorter than this is no secret, and scrubbing it would garble messages. */
    private static final int SECRET_MIN_LENGTH = 8;

    private final URI url;
    private final VendorHttp http;

    /**
     * @param url     where to POST, {@code http} or {@code https}
     * @param timeout limit for the connect and for each wait for data
     */
    public HttpCallWebhook(URI url, Duration timeout) {
        this.url = Objects.requireNonNull(url, "url");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
            throw new IllegalArgumentException("the CRM webhook needs an absolute http(s) URL");
        }
        Objects.requireNonNull(timeout, "timeout");
        this.http = new VendorHttp("crm-webhook", timeout, timeout, secretsOf(url));
    }

    @Override
    public void post(String callSid, String json) {
        Objects.requireNonNull(json, "json");
        if (callSid == null || callSid.isBlank() || callSid.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("a call SID is printable ASCII without spaces");
        }
        Supplier<HttpClientRequest> request = () -> http.post(url)
                .header(IDEMPOTENCY_KEY, callSid)
                .accept(MediaTypes.APPLICATION_JSON)
                .contentType(MediaTypes.APPLICATION_JSON);
        try (HttpClientResponse response = http.send(request, json); InputStream body = http.body(response)) {
            // Any 2xx is a delivery, whatever the body: read a small answer to its end so the connection goes back to
            // the pool clean, but never more than MAX_RESPONSE_BYTES, so a huge or endless answer cannot hold this
            // thread (the connection of such an answer is closed instead of reused).
            byte[] sink = new byte[8192];
            long read = 0;
            int n;
            while (read < MAX_RESPONSE_BYTES && (n = body.read(sink, 0, (int) Math.min(sink.length,
                                                                                      MAX_RESPONSE_BYTES - read))) >= 0) {
                read += n;
            }
        } catch (IOException e) {
            throw http.failure(e, true);
        }
    }

    /** The whole URL, and its path and query when they are long enough to be what makes it secret. */
    private static String[] secretsOf(URI url) {
        List<String> secrets = new ArrayList<>();
        secrets.add(url.toString());
        for (String part : new String[] {url.getRawPath(), url.getRawQuery()}) {
            if (part != null && part.length() >= SECRET_MIN_LENGTH) {
                secrets.add(part);
            }
        }
        return secrets.toArray(String[]::new);
    }

    @Override
    public String toString() {
        return "HttpCallWebhook[" + url.getScheme() + "://" + url.getHost() + "/<redacted>]";
    }
}
