package dev.voiceagent.twilio;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** Stream tokens bind a media socket to the TwiML issued for the same call, once, for a short time. */
class StreamTokensTest {

    private static final byte[] SECRET = "secret-for-tests".getBytes();
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aFreshTokenIsRedeemedOnceForItsOwnCall() {
        StreamTokens tokens = new StreamTokens(SECRET, Duration.ofMinutes(2), Clock.fixed(T0, ZoneOffset.UTC));
        String token = tokens.issue("CA1");
        assertThat(tokens.redeem(token, "CA2"), is(false));
        assertThat(tokens.redeem(token, "CA1"), is(true));
        assertThat(tokens.redeem(token, "CA1"), is(false));
    }

    @Test
    void anExpiredTokenIsRefused() {
        String token = new StreamTokens(SECRET, Duration.ofMinutes(2), Clock.fixed(T0, ZoneOffset.UTC)).issue("CA1");
        StreamTokens later = new StreamTokens(SECRET, Duration.ofMinutes(2),
                                              Clock.fixed(T0.plusSeconds(121), ZoneOffset.UTC));
        assertThat(later.redeem(token, "CA1"), is(false));
    }

    @Test
    void forgedOrGarbledTokensAreRefused() {
        StreamTokens tokens = new StreamTokens(SECRET, Duration.ofMinutes(2), Clock.fixed(T0, ZoneOffset.UTC));
        String other = new StreamTokens("another".getBytes(), Duration.ofMinutes(2), Clock.fixed(T0, ZoneOffset.UTC))
                .issue("CA1");
        assertThat(tokens.redeem(other, "CA1"), is(false));
        assertThat(tokens.redeem("", "CA1"), is(false));
        assertThat(tokens.redeem("abc.def", "CA1"), is(false));
        assertThat(tokens.redeem(null, "CA1"), is(false));
        String good = tokens.issue("CA1");
        String tamperedExpiry = (Long.parseLong(good.substring(0, good.indexOf('.'))) + 999) + good.substring(good.indexOf('.'));
        assertThat(tokens.redeem(tamperedExpiry, "CA1"), is(false));
    }
}
