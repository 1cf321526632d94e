package dev.voiceagent.vendor;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;

/**
 * Reads the standard {@code Retry-After} response header (RFC 9110, section 10.2.3): either a number of seconds
 * ({@code Retry-After: 120}) or an HTTP-date ({@code Retry-After: Fri, 31 Dec 1999 23:59:59 GMT}).
 */
public final class RetryAfter {

    private RetryAfter() {
    }

    /**
     * The wait a 429 or 503 answer asks for; empty for other statuses (a {@code Retry-After} on a 3xx means something
     * else) and when the header is absent or malformed.
     */
    public static Optional<Duration> of(int status, Headers headers) {
        if (status != 429 && status != 503) {
            return Optional.empty();
        }
        return headers.first(HeaderNames.RETRY_AFTER).flatMap(value -> parse(value, Instant.now()));
    }

    /**
     * Parses one header value. A date in the past is a wait of zero; anything unreadable is empty, because guessing a
     * wait from a garbled header is worse than the caller's own backoff.
     */
    public static Optional<Duration> parse(String value, Instant now) {
        String text = value == null ? "" : value.strip();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        if (text.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(text)));
            } catch (NumberFormatException e) {
                return Optional.empty(); // more digits than a long holds
            }
        }
        try {
            Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration wait = Duration.between(now, at);
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
