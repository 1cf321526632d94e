package dev.voiceagent.twilio;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Single use of stream tokens across instances: a token is first checked against this process's memory (a replay to
 * the same instance is refused at once), then recorded in a ledger all instances share (the database), which refuses
 * a token another instance already redeemed.
 * <p>
 * The shared ledger is asked with a bound ({@code bound}, on a virtual thread): a call's start never waits longer
 * for it. When it cannot answer in time or fails (database down), the token counts as first used, as it would on a
 * single instance, and that is logged once per outage; the handshake's Twilio signature still has to be valid.
 */
public final class SharedTokenLedger implements StreamTokens.Ledger {

    private static final Logger LOG = Logger.getLogger(SharedTokenLedger.class.getName());

    private final StreamTokens.Ledger local;
    private final StreamTokens.Ledger shared;
    private final Duration bound;
    private final AtomicBoolean degraded = new AtomicBoolean();

    public SharedTokenLedger(StreamTokens.Ledger local, StreamTokens.Ledger shared, Duration bound) {
        this.local = local;
        this.shared = shared;
        this.bound = bound;
    }

    @Override
    public boolean firstUse(String token, Instant expires) {
        if (!local.firstUse(token, expires)) {
            return false;
        }
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        Thread.ofVirtual().name("stream-token-ledger").start(() -> {
            try {
                answer.complete(shared.firstUse(token, expires));
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        });
        try {
            boolean first = answer.get(bound.toMillis(), TimeUnit.MILLISECONDS);
            if (degraded.compareAndSet(true, false)) {
                LOG.info("shared stream-token ledger answering again");
            }
            return first;
        } catch (TimeoutException | ExecutionException e) {
            if (degraded.compareAndSet(false, true)) {
                LOG.warning("shared stream-token ledger unavailable (" + (e instanceof TimeoutException
                        ? "no answer within " + bound.toMillis() + " ms" : e.getCause().getMessage())
                            + "): stream tokens are single-use per instance until it is back");
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
