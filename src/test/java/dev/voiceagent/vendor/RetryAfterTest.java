package dev.voiceagent.vendor;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class RetryAfterTest {

    private static final Instant NOW = Instant.parse("1999-12-31T23:59:00Z");

    @Test
    void secondsAreADelay() {
        assertThat(RetryAfter.parse("120", NOW), is(Optional.of(Duration.ofSeconds(120))));
        assertThat(RetryAfter.parse(" 0 ", NOW), is(Optional.of(Duration.ZERO)));
    }

    @Test
    void anHttpDateIsTheTimeLeftUntilThen() {
        assertThat(RetryAfter.parse("Fri, 31 Dec 1999 23:59:59 GMT", NOW), is(Optional.of(Duration.ofSeconds(59))));
    }

    @Test
    void aDateInThePastMeansNoWait() {
        assertThat(RetryAfter.parse("Fri, 31 Dec 1999 23:00:00 GMT", NOW), is(Optional.of(Duration.ZERO)));
    }

    @Test
    void anythingElseIsNoAnswer() {
        assertThat(RetryAfter.parse("soon", NOW), is(Optional.empty()));
        assertThat(RetryAfter.parse("-5", NOW), is(Optional.empty()));
        assertThat(RetryAfter.parse("1.5", NOW), is(Optional.empty()));
        assertThat(RetryAfter.parse("", NOW), is(Optional.empty()));
        assertThat(RetryAfter.parse(null, NOW), is(Optional.empty()));
        assertThat(RetryAfter.parse("99999999999999999999999", NOW), is(Optional.empty()));
    }
}
