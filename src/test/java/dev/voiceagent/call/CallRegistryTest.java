package dev.voiceagent.call;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** Admission: answered calls hold a place until their stream starts or the reservation lapses. */
class CallRegistryTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final CallRegistry registry = new CallRegistry(2, Duration.ofMinutes(2), now::get);

    @Test
    void answeredCallsCountAgainstTheCapBeforeTheirStreamArrives() {
        assertThat(registry.admit(sid(1)), is(true));
        assertThat(registry.admit(sid(2)), is(true));
        assertThat(registry.admit(sid(3)), is(false));
        assertThat(registry.reserved(), is(2));
    }

    @Test
    void aRepeatedWebhookForAnAdmittedCallKeepsItsPlace() {
        assertThat(registry.admit(sid(1)), is(true));
        assertThat(registry.admit(sid(2)), is(true));
        assertThat(registry.admit(sid(1)), is(true));
        assertThat(registry.reserved(), is(2));
    }

    @Test
    void aReservationWhoseStreamNeverCameLapsesAfterTheTokenLifetime() {
        assertThat(registry.admit(sid(1)), is(true));
        assertThat(registry.admit(sid(2)), is(true));
        now.addAndGet(Duration.ofMinutes(2).minusMillis(1).toNanos());
        assertThat(registry.admit(sid(3)), is(false));
        now.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(registry.admit(sid(3)), is(true));
        assertThat(registry.reserved(), is(1));
    }

    @Test
    void theCapMustBeAtLeastOne() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new CallRegistry(0, Duration.ofMinutes(2), now::get));
    }

    private static String sid(int n) {
        return String.format("CA%032x", n);
    }
}
