package dev.voiceagent.twilio;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * Stream tokens are single-use across instances through a shared ledger; a ledger that fails or is slow never holds
 * up a call's start beyond the bound, and the token then counts as first used (single use per instance).
 */
class SharedTokenLedgerTest {

    private static final Instant EXPIRES = Instant.now().plusSeconds(120);
    private static final Duration BOUND = Duration.ofMillis(200);

    /** Two instances' views of one shared set of redeemed tokens. */
    private final Set<String> sharedSet = ConcurrentHashMap.newKeySet();
    private final StreamTokens.Ledger shared = (token, expires) -> sharedSet.add(token);

    @Test
    void aTokenRedeemedOnOneInstanceIsRefusedOnAnother() {
        SharedTokenLedger a = new SharedTokenLedger(new StreamTokens.LocalLedger(Clock.systemUTC()), shared, BOUND);
        SharedTokenLedger b = new SharedTokenLedger(new StreamTokens.LocalLedger(Clock.systemUTC()), shared, BOUND);

        assertThat(a.firstUse("t1", EXPIRES), is(true));
        assertThat(b.firstUse("t1", EXPIRES), is(false));
        assertThat(a.firstUse("t1", EXPIRES), is(false));
        assertThat(b.firstUse("t2", EXPIRES), is(true));
    }

    @Test
    void aFailingSharedLedgerFallsBackToSingleUsePerInstance() {
        SharedTokenLedger a = new SharedTokenLedger(new StreamTokens.LocalLedger(Clock.systemUTC()), (token, expires) -> {
            throw new IllegalStateException("database down");
        }, BOUND);

        assertThat(a.firstUse("t1", EXPIRES), is(true));
        assertThat("still refused on the same instance", a.firstUse("t1", EXPIRES), is(false));
    }

    @Test
    void aSlowSharedLedgerIsNotWaitedForBeyondTheBound() {
        SharedTokenLedger a = new SharedTokenLedger(new StreamTokens.LocalLedger(Clock.systemUTC()), (token, expires) -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }, BOUND);

        long started = System.nanoTime();
        assertThat(a.firstUse("t1", EXPIRES), is(true));
        assertThat((System.nanoTime() - started) / 1_000_000, lessThan(2_000L));
    }
}
