package dev.voiceagent.vendor;

import java.time.Duration;
import java.util.Optional;

/**
 * A call to an outside vendor (Workers AI, ElevenLabs, Twilio REST, GoHighLevel, the CRM webhook) that did not give
 * a usable answer.
 * The {@link Kind} lets the call loop decide what the caller hears and whether a retry can help;
 * the message never contains credentials.
 */
public final class VendorException extends RuntimeException {

    /** Why the call failed, coarse enough to act on. */
    public enum Kind {
        /** 401/403: the key is wrong or lacks a permission; retrying will not help. */
        UNAUTHORIZED(false),
        /** 429: rate limit, concurrency limit or capacity; retry later. */
        RATE_LIMITED(true),
        /** 5xx from the vendor. */
        SERVER_ERROR(true),
        /** Connect or read timed out. */
        TIMEOUT(true),
        /** A streamed response ended before its documented end (no [DONE], connection cut). */
        STREAM_CUT(true),
        /** Connection refused or reset before a response. */
        NETWORK(true),
        /** 4xx other than the above, or a body that does not follow the documented format. */
        BAD_RESPONSE(false),
        /** No credentials configured for this vendor. */
        UNCONFIGURED(false);

        private final boolean retryable;

        Kind(boolean retryable) {
            this.retryable = retryable;
        }

        /** Whether trying the same request again may succeed. */
        public boolean retryable() {
            return retryable;
        }
    }

    private final String vendor;
    private final Kind kind;
    private final int status;
    private final Duration retryAfter;

    public VendorException(String vendor, Kind kind, int status, String message, Throwable cause) {
        this(vendor, kind, status, message, cause, null);
    }

    /**
     * @param retryAfter how long the vendor asked callers to wait before trying again, or {@code null} when it did not
     *                   say; a negative delay counts as zero
     */
    public VendorException(String vendor, Kind kind, int status, String message, Throwable cause, Duration retryAfter) {
        super(vendor + " " + kind + (status > 0 ? " (HTTP " + status + ")" : "") + ": " + message
                + (retryAfter == null ? "" : " (retry after " + Math.max(0, retryAfter.toMillis()) + " ms)"), cause);
        this.vendor = vendor;
        this.kind = kind;
        this.status = status;
        this.retryAfter = retryAfter == null || !retryAfter.isNegative() ? retryAfter : Duration.ZERO;
    }

    public VendorException(String vendor, Kind kind, int status, String message) {
        this(vendor, kind, status, message, null);
    }

    /** Short vendor name, e.g. {@code "elevenlabs"}; used as a metric tag. */
    public String vendor() {
        return vendor;
    }

    public Kind kind() {
        return kind;
    }

    /** HTTP status, or 0 when no response was received. */
    public int status() {
        return status;
    }

    /**
     * The wait the vendor asked for before the next attempt: a {@code Retry-After} header (seconds or HTTP-date), or
     * what a vendor's own rate-limit headers imply. Empty when the answer said nothing about it; a retry policy then
     * uses its own backoff.
     */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** Maps an HTTP error status to a kind, as every vendor client does. */
    public static Kind kindOf(int status) {
        if (status == 401 || status == 403) {
            return Kind.UNAUTHORIZED;
        }
        if (status == 429) {
            return Kind.RATE_LIMITED;
        }
        if (status == 408) {
            return Kind.TIMEOUT;
        }
        if (status >= 500) {
            return Kind.SERVER_ERROR;
        }
        return Kind.BAD_RESPONSE;
    }
}
