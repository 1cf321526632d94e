package dev.voiceagent.vendor;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.tls.Tls;
import io.helidon.http.ClientResponseHeaders;
import io.helidon.http.ClientResponseTrailers;
import io.helidon.http.Headers;
import io.helidon.http.Status;
import io.helidon.http.media.ReadableEntity;
import io.helidon.webclient.api.ClientConnection;
import io.helidon.webclient.api.ClientUri;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.RuntimeUnknownHostException;
import io.helidon.webclient.api.WebClient;

/**
 * The HTTP plumbing of one vendor client: one pooled Helidon {@link WebClient}, and the translation of every way a
 * call can fail into a {@link VendorException}.
 * <ul>
 *     <li>non-2xx: kind from {@link VendorException#kindOf(int)}, message from the vendor's error body (first 2 KB):
 *     Cloudflare {@code {"errors":[{"code":3040,"message":"…"}],"success":false}}, ElevenLabs
 *     {@code {"detail":{"status":"invalid_api_key","message":"…"}}} or {@code {"detail":[{"loc":[…],"msg":"…"}]}},
 *     Twilio {@code {"code":20003,"message":"Authenticate",…}}, GoHighLevel {@code {"statusCode":422,"message":[…]}};
 *     a 429 or 503 carries the wait the vendor asked for ({@link VendorException#retryAfter()}), from
 *     {@code Retry-After} or from a client's own {@link WaitHint};</li>
 *     <li>connect or read timeout: {@code TIMEOUT}; no connection or no response: {@code NETWORK};</li>
 *     <li>a failure while reading a body whose headers already arrived: {@code STREAM_CUT}.</li>
 * </ul>
 * Nothing is retried, with two exceptions, each a transport repair rather than a retry of the vendor's answer, and
 * each at most once, on a new connection:
 * <ul>
 *     <li>for a client on Helidon's connection cache ({@link Resend#NEVER}), when Helidon's idle-connection monitor
 *     fails a request before it went out (see {@code submit});</li>
 *     <li>for a client built with {@link Resend#UNANSWERED}, when the connection closed before a byte of answer came:
 *     the request went out on a kept-alive connection the vendor had just closed as idle (servers close idle
 *     connections on their own schedule, and a close that crosses the request on the wire is indistinguishable
 *     from a lost request).</li>
 * </ul>
 * Connections: a {@link Resend#NEVER} client uses Helidon's connection cache, whose monitor notices a connection the
 * vendor closed while it was idle. A {@link Resend#UNANSWERED} client, the ones a call's every turn waits on, keeps
 * its connections in {@link KeptConnections} instead: no monitor thread per idle connection, the most recent one
 * reused first, and a connection the vendor closed repaired by that one resend. Its sockets have no read timeout
 * (a timed wait of a virtual thread costs the JDK's delay scheduler two or three thread wake-ups, and a streamed
 * answer waits once per piece): the client's {@link ReadWatch} times the wait for an answer's head and each read of
 * its body against the request's read timeout, so a body must be read through {@link #body} or {@link #text}.
 * <p>
 * Messages never contain the secrets given to the constructor. Responses handed out by {@link #send} are open and
 * must be closed by the caller: Helidon returns a connection to the pool only then (helidon#10249).
 */
public final class VendorHttp {

    private static final int ERROR_BODY_LIMIT = 2048;
    private static final int ERROR_TEXT_LIMIT = 300;

    /** Whether a request that got no answer at all may be sent once more. */
    public enum Resend {
        /**
         * Never: the request changes something at the vendor (a CRM note, a call transfer, a tool's action), and a
         * vendor that dropped the connection may still have acted on it.
         */
        NEVER,
        /**
         * Once, on a new connection, when the connection closed before a byte of answer came: the request only asks
         * (a transcription, a model answer, speech), so sending it again costs at most the vendor's work twice.
         */
        UNANSWERED
    }

    private final String vendor;
    private final WebClient client;
    /** This client's own kept connections ({@link Resend#UNANSWERED}), or {@code null}: Helidon's cache. */
    private final KeptConnections kept;
    /** Times the waits on kept connections, whose sockets have no read timeout; {@code null} when {@code kept} is. */
    private final ReadWatch readWatch;
    private final ObjectMapper json = new ObjectMapper();
    private final List<String> secrets;

    /**
     * @param vendor         short vendor name used in exceptions and metrics, e.g. {@code "elevenlabs"}
     * @param connectTimeout TCP (and TLS) connect limit
     * @param readTimeout    default limit for each socket read; requests may override it
     * @param secrets        credentials to scrub from any message built from a vendor's answer
     */
    public VendorHttp(String vendor, Duration connectTimeout, Duration readTimeout, String... secrets) {
        this(vendor, Resend.NEVER, connectTimeout, readTimeout, secrets);
    }

    /**
     * @param resend whether a request the vendor dropped unanswered is sent once more ({@link Resend}); the clients
     *               that may resend keep their own connections ({@link KeptConnections})
     * @see #VendorHttp(String, Duration, Duration, String...)
     */
    public VendorHttp(String vendor, Resend resend, Duration connectTimeout, Duration readTimeout, String... secrets) {
        this(vendor, resend, null, connectTimeout, readTimeout, secrets);
    }

    /** As the public constructors, with TLS settings of its own ({@code null}: Helidon's): a test's certificate. */
    VendorHttp(String vendor, Resend resend, Tls tls, Duration connectTimeout, Duration readTimeout,
               String... secrets) {
        this.vendor = Objects.requireNonNull(vendor, "vendor");
        Objects.requireNonNull(resend, "resend");
        var builder = WebClient.builder();
        if (tls != null) {
            builder.tls(tls);
        }
        this.client = builder
                .connectTimeout(connectTimeout)
                .readTimeout(readTimeout)
                // A redirect would replay credentials to wherever it points; these APIs never redirect.
                .followRedirects(false)
                .sendExpectContinue(false)
                // Helidon closes its shared connection cache from a JVM shutdown hook, which would fail
                // every vendor call of the calls still draining after SIGTERM; a client's own cache is not.
                .shareConnectionCache(false)
                .build();
        this.kept = resend == Resend.UNANSWERED ? new KeptConnections(client) : null;
        this.readWatch = kept == null ? null
                : new ReadWatch("vendor-read-watch-" + vendor, ReadWatch.checkFor(readTimeout), System::nanoTime);
        this.secrets = Arrays.stream(secrets).filter(s -> s != null && !s.isBlank()).toList();
    }

    public String vendor() {
        return vendor;
    }

    /** A JSON mapper for this client's bodies. */
    public ObjectMapper json() {
        return json;
    }

    /** Starts a POST to an absolute URI (paths keep {@code @} and {@code /} as given). */
    public HttpClientRequest post(URI uri) {
        return client.post().uri(uri);
    }

    /** Starts a GET; send it with a {@code null} entity (no body). */
    public HttpClientRequest get(URI uri) {
        return client.get().uri(uri);
    }

    /** Starts a PUT. */
    public HttpClientRequest put(URI uri) {
        return client.put().uri(uri);
    }

    /** Starts a DELETE. */
    public HttpClientRequest delete(URI uri) {
        return client.delete().uri(uri);
    }

    /** Starts a request with {@code method} to an absolute URI. */
    public HttpClientRequest request(io.helidon.http.Method method, URI uri) {
        return client.method(method).uri(uri);
    }

    /**
     * Sends the request {@code request} builds, with {@code entity} ({@code null}: no body, for a GET), and returns the response if its status is 2xx.
     * The caller must close it. Any other status is read, closed and thrown.
     *
     * @param request builds the request; called a second time only for the pooled-connection workaround
     * @throws VendorException for an error status, a timeout or a network failure
     */
    public HttpClientResponse send(Supplier<HttpClientRequest> request, Object entity) {
        return send(request, entity, RetryAfter::of);
    }

    /**
     * As {@link #send(Supplier, Object)}, but every response's headers, error or not, go through {@code waitHint}
     * first: a vendor whose rate-limit headers say when to come back (GoHighLevel's {@code X-RateLimit-*}) reads them
     * there, and what it returns becomes the {@link VendorException#retryAfter()} of a 429 or 503.
     */
    public HttpClientResponse send(Supplier<HttpClientRequest> request, Object entity, WaitHint waitHint) {
        Objects.requireNonNull(waitHint, "waitHint");
        HttpClientResponse response = submit(request, entity);
        int status = response.status().code();
        Optional<Duration> wait;
        try {
            wait = waitHint.read(status, response.headers());
        } catch (RuntimeException e) {
            response.close();
            throw e;
        }
        if (response.status().family() == Status.Family.SUCCESSFUL) {
            return response;
        }
        try (response) {
            String detail;
            try {
                byte[] body = body(response).readNBytes(ERROR_BODY_LIMIT);
                detail = errorDetail(new String(body, StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException e) {
                detail = response.status().reasonPhrase() + " (error body unreadable)";
            }
            Duration retryAfter = status == 429 || status == 503 ? wait.orElse(null) : null;
            throw new VendorException(vendor, VendorException.kindOf(status), status, detail, null, retryAfter);
        }
    }

    /** Reads what one response's headers say about when to send the next request. */
    @FunctionalInterface
    public interface WaitHint {

        /**
         * @param status  the response's HTTP status
         * @param headers the response's headers
         * @return how long the vendor wants callers to wait, if its answer says so
         */
        Optional<Duration> read(int status, Headers headers);
    }

    private HttpClientResponse submit(Supplier<HttpClientRequest> request, Object entity) {
        if (kept != null) {
            // On the most recently kept connection; if the vendor had closed it as idle (unseen: nothing watches a
            // kept connection), no byte of answer comes, and the request goes once more on a new connection.
            return sendRepairingOnce(() -> sendOnKept(request.get(), false, entity), VendorHttp::unanswered,
                                     () -> sendOnKept(request.get(), true, entity));
        }
        // On a connection from Helidon's cache (Resend.NEVER clients). Helidon watches an idle pooled connection from a
        // monitor thread, and a request that takes the connection waits for that monitor to stop and fails
        // (ExecutionException) if it ended in error. In 4.1.2 the monitor blocked in one read for the previous
        // request's whole read timeout and then failed whichever request had taken the connection meanwhile (reworked
        // in helidon#9795, 4.1.7/4.2.0). Checked in the 4.5.0 bytecode (common-socket IdleInputStream): the monitor now
        // reads in 101 ms slices and stops when a request takes the connection, so that case is gone; but when its
        // slices add up to the socket's read timeout just as a request takes the connection, it still throws and the
        // request still fails this way. The vendor's answer is lost with the connection (none was sent on it), so
        // one resend on a new connection (keepAlive(false): never another pooled one) is a transport repair, not a
        // retry; it costs nothing when the monitor behaves.
        return sendRepairingOnce(() -> dispatch(request.get(), entity), VendorHttp::idleMonitorFailed,
                                 () -> dispatch(request.get().keepAlive(false), entity));
    }

    /**
     * Sends {@code first}; if it failed in transport in a way {@code repairable} accepts, sends {@code second} once
     * instead. Transport failures come out as {@link VendorException}s.
     */
    private HttpClientResponse sendRepairingOnce(Supplier<HttpClientResponse> first, Predicate<Throwable> repairable,
                                                 Supplier<HttpClientResponse> second) {
        try {
            return first.get();
        } catch (RuntimeException e) {
            if (!isTransportFailure(e)) {
                throw e;
            }
            if (!repairable.test(e)) {
                throw failure(e, false);
            }
        }
        try {
            return second.get();
        } catch (RuntimeException e) {
            throw isTransportFailure(e) ? failure(e, false) : e;
        }
    }

    /**
     * Sends on a kept connection with no socket read timeout (Helidon sets the request's at the start of every
     * request): the {@link ReadWatch} times the exchange up to the answer's head instead, and {@link #body} each read
     * of the body after it, each against the request's read timeout.
     */
    private HttpClientResponse sendOnKept(HttpClientRequest request, boolean fresh, Object entity) {
        ClientConnection connection = kept.lend(request, fresh);
        Duration limit = request.readTimeout();
        ReadWatch.Read head = readWatch.watch(connection, limit);
        request.readTimeout(Duration.ZERO);
        HttpClientResponse response;
        head.begin();
        try {
            response = dispatch(request, entity);
        } catch (RuntimeException e) {
            connection.closeResource();     // no response owns it; Helidon closes only some failures' connections
            // A wait the watcher ended is a timeout, not the closed connection it saw: no resend.
            throw head.expired() ? timedOut(limit) : e;
        } finally {
            head.end();
        }
        if (head.expired()) {   // the head came just as the watcher closed the connection: the body is gone
            response.close();
            throw timedOut(limit);
        }
        return new KeptResponse(response, connection, limit);
    }

    private VendorException timedOut(Duration limit) {
        SocketTimeoutException timeout = new SocketTimeoutException("no data for " + limit.toMillis() + " ms");
        return new VendorException(vendor, VendorException.Kind.TIMEOUT, 0, "timed out: " + timeout.getMessage(),
                                   timeout);
    }

    private static HttpClientResponse dispatch(HttpClientRequest request, Object entity) {
        return entity == null ? request.request() : request.submit(entity);
    }

    /**
     * The body of a response from {@link #send}, as a stream whose read failures are already {@link VendorException}s
     * ({@code TIMEOUT} or {@code STREAM_CUT}). On a kept connection its reads wait without a socket timeout, each
     * timed by the {@link ReadWatch} instead (see {@code sendOnKept}).
     */
    public InputStream body(HttpClientResponse response) {
        ReadWatch.Read reads = response instanceof KeptResponse keptResponse
                ? readWatch.watch(keptResponse.connection(), keptResponse.readTimeout())
                : null;
        return new GuardedBody(response.inputStream(), reads);
    }

    /** Reads a whole (small) body as UTF-8. */
    public String text(HttpClientResponse response) {
        try {
            return new String(body(response).readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw failure(e, true);
        }
    }

    /** Parses a JSON body; anything else is {@code BAD_RESPONSE}. */
    public JsonNode parse(int status, String body) {
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            throw badResponse(status, "not JSON: " + snippet(body));
        }
    }

    /** A 2xx answer that does not follow the documented format. */
    public VendorException badResponse(int status, String message) {
        return new VendorException(vendor, VendorException.Kind.BAD_RESPONSE, status, redact(message));
    }

    /** No credentials are configured, so no call is made. */
    public VendorException unconfigured(String what) {
        return new VendorException(vendor, VendorException.Kind.UNCONFIGURED, 0, what + " is not configured");
    }

    /**
     * Maps a transport failure.
     *
     * @param bodyStarted whether response headers had arrived, so the failure cut a body short
     */
    public VendorException failure(Throwable error, boolean bodyStarted) {
        if (error instanceof VendorException known) {
            return known;
        }
        if (causedBy(error, InterruptedException.class)) {
            Thread.currentThread().interrupt(); // Helidon swallowed the flag; callers check it to tell a cancel apart
        }
        String cause = redact(describe(error));
        if (causedBy(error, SocketTimeoutException.class)) {
            return new VendorException(vendor, VendorException.Kind.TIMEOUT, 0, "timed out: " + cause, error);
        }
        if (bodyStarted) {
            return new VendorException(vendor, VendorException.Kind.STREAM_CUT, 0, "response cut short: " + cause, error);
        }
        return new VendorException(vendor, VendorException.Kind.NETWORK, 0, cause, error);
    }

    /**
     * One line describing a vendor error body: {@code "code 3040: Capacity temporarily exceeded"},
     * {@code "invalid_api_key: Invalid API key"}, {@code "query.output_format: Field required"}, or the raw text.
     */
    public String errorDetail(String body) {
        String text = body.strip();
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (JsonProcessingException e) {
            root = null;
        }
        String detail = root == null ? null : describeErrorJson(root);
        return redact(detail != null ? detail : snippet(text.isEmpty() ? "(empty body)" : text));
    }

    /** Replaces every configured secret in {@code text}. */
    private String redact(String text) {
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, "<redacted>");
        }
        return result;
    }

    private static String describeErrorJson(JsonNode root) {
        JsonNode errors = root.path("errors");
        if (errors.isArray() && !errors.isEmpty()) {                      // Cloudflare
            JsonNode first = errors.get(0);
            String message = first.path("message").asText("");
            return first.has("code") ? "code " + first.path("code").asText() + ": " + message : message;
        }
        JsonNode detail = root.path("detail");
        if (detail.isObject()) {                                           // ElevenLabs
            return detail.path("status").asText("error") + ": " + detail.path("message").asText("");
        }
        if (detail.isArray() && !detail.isEmpty()) {                       // ElevenLabs 422 (FastAPI validation)
            JsonNode first = detail.get(0);
            StringBuilder location = new StringBuilder();
            first.path("loc").forEach(part -> location.append(location.isEmpty() ? "" : ".").append(part.asText()));
            return (location.isEmpty() ? "" : location + ": ") + first.path("msg").asText("");
        }
        if (detail.isTextual()) {
            return detail.asText();
        }
        JsonNode message = root.path("message");
        if (root.has("statusCode") && (message.isTextual() || message.isArray())) {   // GoHighLevel (NestJS)
            if (message.isTextual()) {
                return message.asText();
            }
            StringBuilder joined = new StringBuilder();
            message.forEach(m -> joined.append(joined.isEmpty() ? "" : "; ").append(m.asText()));
            return joined.toString();
        }
        if (root.has("code") && root.has("message")) {                     // Twilio
            return "code " + root.path("code").asText() + ": " + root.path("message").asText();
        }
        return null;
    }

    private static boolean isTransportFailure(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof IOException
                    || t instanceof DataReader.InsufficientDataAvailableException
                    || t instanceof RuntimeUnknownHostException
                    || t instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The connection closed (end of stream, reset, broken pipe) before the answer's status line: no byte of answer
     * came. Not a refused or timed-out connection, an unknown host, or a cancel (an interrupt), which a second try
     * would only repeat or defeat.
     */
    private static boolean unanswered(Throwable error) {
        if (Thread.currentThread().isInterrupted()
                || causedBy(error, InterruptedException.class)
                || causedBy(error, SocketTimeoutException.class)
                || causedBy(error, ConnectException.class)
                || causedBy(error, RuntimeUnknownHostException.class)) {
            return false;
        }
        return causedBy(error, DataReader.InsufficientDataAvailableException.class)
                || causedBy(error, SocketException.class)
                || causedBy(error, EOFException.class);
    }

    /** Helidon's idle-connection monitor reports its failures wrapped in an {@link ExecutionException}. */
    private static boolean idleMonitorFailed(Throwable error) {
        return causedBy(error, ExecutionException.class);
    }

    private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : " " + message);
    }

    private static String snippet(String text) {
        String oneLine = text.replaceAll("\\s+", " ");
        return oneLine.length() <= ERROR_TEXT_LIMIT ? oneLine : oneLine.substring(0, ERROR_TEXT_LIMIT) + "…";
    }

    /**
     * Turns read failures into {@link VendorException}s so that callers see one exception type, asks the body for
     * about as much as it delivers at a time ({@link ReadSize}), and, on a kept connection, has each read timed by the
     * {@link ReadWatch}: a read it ended is a {@code TIMEOUT}, whatever the closed connection made the read return.
     */
    private final class GuardedBody extends FilterInputStream {

        private final ReadSize readSize = new ReadSize();
        /** The watched reads, or {@code null}: the socket's own read timeout applies. */
        private final ReadWatch.Read reads;

        GuardedBody(InputStream in, ReadWatch.Read reads) {
            super(in);
            this.reads = reads;
        }

        @Override
        public int read() {
            int got;
            begin();
            try {
                got = super.read();
            } catch (IOException | RuntimeException e) {
                checkNotExpired();
                throw failure(e, true);
            } finally {
                end();
            }
            checkNotExpired();
            return got;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            int ask = readSize.ask(length);
            int got;
            begin();
            try {
                got = super.read(buffer, offset, ask);
            } catch (IOException | RuntimeException e) {
                checkNotExpired();
                throw failure(e, true);
            } finally {
                end();
            }
            checkNotExpired();
            readSize.got(ask, got);
            return got;
        }

        private void begin() {
            if (reads != null) {
                reads.begin();
            }
        }

        private void end() {
            if (reads != null) {
                reads.end();
            }
        }

        private void checkNotExpired() {
            if (reads != null && reads.expired()) {
                throw timedOut(reads.limit());
            }
        }
    }

    /**
     * A response on a kept connection: Helidon's, with the connection it came on and the request's read timeout, for
     * {@link #body}.
     */
    private record KeptResponse(HttpClientResponse delegate, ClientConnection connection, Duration readTimeout)
            implements HttpClientResponse {

        @Override
        public ReadableEntity entity() {
            return delegate.entity();
        }

        @Override
        public InputStream inputStream() {
            return delegate.inputStream();
        }

        @Override
        public Status status() {
            return delegate.status();
        }

        @Override
        public ClientResponseHeaders headers() {
            return delegate.headers();
        }

        @Override
        public ClientResponseTrailers trailers() {
            return delegate.trailers();
        }

        @Override
        public ClientUri lastEndpointUri() {
            return delegate.lastEndpointUri();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
