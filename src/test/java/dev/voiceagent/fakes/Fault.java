package dev.voiceagent.fakes;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/** Something a {@link FakeVendorServer} does wrong on purpose, for one request or for all of a route's requests. */
public sealed interface Fault {

    /** Answer {@code httpStatus} with that vendor's documented error body for it. */
    static Fault status(int httpStatus) {
        return new Status(httpStatus);
    }

    /**
     * Answer normally, but only after {@code delay}: the slow vendor. A one-shot delay may not be enough to see a
     * client time out: the clients on Helidon's connection cache (the CRM, Twilio, tools) resend once when Helidon's
     * idle-connection monitor fails a reused connection early (see {@code VendorHttp}), and that resend gets the next
     * answer. Use {@link FakeVendorServer#failAlways} or a fake's latency setting when every attempt must be slow.
     */
    static Fault delay(Duration delay) {
        return new Delay(delay);
    }

    /**
     * Start the normal 200 answer as a chunked stream, send {@code bytes} body bytes, then drop the connection
     * without finishing the chunked encoding (and so without an SSE {@code [DONE]}).
     */
    static Fault cutAfterBytes(int bytes) {
        return new CutAfterBytes(bytes);
    }

    /**
     * Read the request, then drop the connection without a byte of answer: what a client meets when the vendor closed
     * a kept-alive connection just as the request went out on it (a server closing idle connections, as the JDK's
     * {@code HttpServer} behind these fakes does beyond 200 idle ones or after 30 s idle).
     */
    static Fault dropUnanswered() {
        return new DropUnanswered();
    }

    /** Answer exactly this, whatever the request: for bodies a vendor might send but the fake would not. */
    static Fault reply(int httpStatus, String contentType, byte[] body) {
        return new Reply(httpStatus, contentType, body, Map.of());
    }

    /** {@link #reply(int, String, byte[])} with a UTF-8 text body. */
    static Fault reply(int httpStatus, String contentType, String body) {
        return reply(httpStatus, contentType, body, Map.of());
    }

    /**
     * {@link #reply(int, String, String)} with these response headers too (e.g. {@code Retry-After}); they win over
     * any the fake adds itself.
     */
    static Fault reply(int httpStatus, String contentType, String body, Map<String, String> headers) {
        return new Reply(httpStatus, contentType, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** See {@link Fault#status(int)}. */
    record Status(int httpStatus) implements Fault {
        public Status {
            if (httpStatus < 400 || httpStatus > 599) {
                throw new IllegalArgumentException("not an error status: " + httpStatus);
            }
        }
    }

    /** See {@link Fault#delay(Duration)}. */
    record Delay(Duration delay) implements Fault {
        public Delay {
            Objects.requireNonNull(delay, "delay");
        }
    }

    /** See {@link Fault#cutAfterBytes(int)}. */
    record CutAfterBytes(int bytes) implements Fault {
        public CutAfterBytes {
            if (bytes < 0) {
                throw new IllegalArgumentException("negative byte count");
            }
        }
    }

    /** See {@link Fault#dropUnanswered()}. */
    record DropUnanswered() implements Fault {
    }

    /** See {@link Fault#reply(int, String, byte[])} and {@link Fault#reply(int, String, String, Map)}. */
    record Reply(int httpStatus, String contentType, byte[] body, Map<String, String> headers) implements Fault {
        public Reply {
            Objects.requireNonNull(contentType, "contentType");
            body = body.clone();
            headers = Map.copyOf(headers);
        }
    }
}
