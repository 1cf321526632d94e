package dev.voiceagent.tools;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.voiceagent.vendor.VendorException;
import dev.voiceagent.vendor.VendorHttp;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;

/**
 * A tool the persona file declares by {@code url}: the server sends the model's arguments to that URL and the JSON
 * it answers goes back to the model.
 * <pre>
 * POST {url}                       (or PUT/PATCH, the declaration's method)
 * Content-Type: application/json
 * X-Voice-Agent-Timestamp / X-Voice-Agent-Signature   (when secretEnv is set; see {@link WebhookSignature})
 * {declared headers}
 * {"callSid":"CA…","caller":"+1555…","persona":"receptionist","tool":"order_status","arguments":{…}}
 * </pre>
 * A 2xx answer whose body is JSON of at most {@value #MAX_ANSWER_BYTES} bytes is the result. Anything else fails
 * the call of the tool ({@link ToolOutcome.Failed}), so the model can talk around it: non-2xx, no answer within
 * {@code timeout} ({@code TIMED_OUT}), a body that is not JSON or is too long. Redirects are not followed. Blocks the
 * calling (virtual) thread for at most about {@code timeout}; an interrupt ends it. Secrets (header values, the
 * signing key) are never in a message.
 */
public final class WebhookTool implements Tool {

    static final int MAX_ANSWER_BYTES = 16_384;

    private final ToolSpec spec;
    private final URI url;
    private final Method method;
    private final Duration timeout;
    private final Map<String, String> headers;
    private final String secret;
    private final Clock clock;
    private final VendorHttp http;

    /**
     * @param headers header values, already read from the environment
     * @param secret  the signing key ("" when requests are not signed)
     */
    public WebhookTool(ToolSpec spec, URI url, String method, Duration timeout, Map<String, String> headers,
                       String secret, Clock clock) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.url = Objects.requireNonNull(url, "url");
        this.method = Method.create(method);
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.headers = Map.copyOf(headers);
        this.secret = Objects.requireNonNull(secret, "secret");
        this.clock = Objects.requireNonNull(clock, "clock");
        String[] secrets = java.util.stream.Stream.concat(this.headers.values().stream(), java.util.stream.Stream.of(secret))
                .toArray(String[]::new);
        this.http = new VendorHttp("tool:" + spec.name(), timeout, timeout, secrets);
    }

    @Override
    public ToolSpec spec() {
        return spec;
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    /**
     * Sends the request on a helper virtual thread and waits at most {@code timeout} (plus a little) for it: the HTTP
     * client's own timeouts bound each read, not the whole exchange, so the bound is kept here.
     */
    @Override
    public ToolOutcome run(JsonNode arguments, ToolContext context) throws InterruptedException {
        java.util.concurrent.CompletableFuture<ToolOutcome> outcome = new java.util.concurrent.CompletableFuture<>();
        Thread exchange = Thread.ofVirtual().name("webhook-" + spec.name()).start(() -> {
            try {
                outcome.complete(exchange(arguments, context));
            } catch (InterruptedException e) {
                outcome.complete(timedOut());
            } catch (RuntimeException e) {
                outcome.complete(new ToolOutcome.Failed(ToolFailure.VENDOR_ERROR, "the service could not be used"));
            }
        });
        try {
            return outcome.get(timeout.toMillis() + 100, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            exchange.interrupt();
            return timedOut();
        } catch (java.util.concurrent.ExecutionException e) {
            return new ToolOutcome.Failed(ToolFailure.VENDOR_ERROR, "the service could not be used");
        } catch (InterruptedException e) {
            exchange.interrupt();
            throw e;
        }
    }

    private ToolOutcome.Failed timedOut() {
        return new ToolOutcome.Failed(ToolFailure.TIMED_OUT, "the service did not answer within " + timeout.toMillis() + " ms");
    }

    private ToolOutcome exchange(JsonNode arguments, ToolContext context) throws InterruptedException {
        ObjectNode request = http.json().createObjectNode()
                .put("callSid", context.callSid())
                .put("caller", context.caller().orElse(""))
                .put("persona", context.personaId())
                .put("tool", spec.name());
        request.set("arguments", arguments);
        byte[] body = request.toString().getBytes(StandardCharsets.UTF_8);
        long now = clock.instant().getEpochSecond();
        Supplier<HttpClientRequest> build = () -> {
            HttpClientRequest r = http.request(method, url)
                    .contentType(MediaTypes.APPLICATION_JSON)
                    .accept(MediaTypes.APPLICATION_JSON)
                    .readTimeout(timeout);
            headers.forEach((name, value) -> r.header(HeaderNames.create(name), value));
            if (!secret.isEmpty()) {
                r.header(HeaderNames.create(WebhookSignature.TIMESTAMP_HEADER), Long.toString(now));
                r.header(HeaderNames.create(WebhookSignature.SIGNATURE_HEADER), WebhookSignature.sign(secret, now, body));
            }
            return r;
        };
        try (HttpClientResponse response = http.send(build, body)) {
            byte[] answer;
            try (InputStream in = http.body(response)) {
                answer = in.readNBytes(MAX_ANSWER_BYTES + 1);
            } catch (IOException e) {
                throw http.failure(e, true);
            }
            if (answer.length > MAX_ANSWER_BYTES) {
                return new ToolOutcome.Failed(ToolFailure.VENDOR_ERROR,
                                              "the service's answer was longer than " + MAX_ANSWER_BYTES + " bytes");
            }
            try {
                JsonNode result = http.json().readTree(answer);
                if (result == null || result.isMissingNode()) {
                    return new ToolOutcome.Failed(ToolFailure.VENDOR_ERROR, "the service answered nothing");
                }
                return new ToolOutcome.Result(result);
            } catch (JsonProcessingException e) {
                return new ToolOutcome.Failed(ToolFailure.VENDOR_ERROR, "the service's answer was not JSON");
            } catch (IOException e) {
                throw http.failure(e, true);
            }
        } catch (VendorException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("tool call cancelled");
            }
            return switch (e.kind()) {
                case TIMEOUT -> timedOut();
                case NETWORK -> new ToolOutcome.Failed(ToolFailure.VENDOR_ERROR, "the service could not be reached");
                default -> new ToolOutcome.Failed(ToolFailure.VENDOR_ERROR, e.status() > 0
                        ? "the service answered HTTP " + e.status() : "the service's answer was cut short");
            };
        }
    }
}
