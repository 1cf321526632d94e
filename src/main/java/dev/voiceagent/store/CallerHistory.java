package dev.voiceagent.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * What the agent remembers of a returning caller: their last few calls' summaries and facts. Asked once as
 * a call starts, so it is bounded in time: a slow or unreachable database costs the caller at most
 * {@code bound} of silence before the greeting and the call simply goes on without the memory. A lookup over its bound
 * is abandoned, not interrupted, so that its database connection stays usable.
 */
public final class CallerHistory {

    private static final Logger LOG = Logger.getLogger(CallerHistory.class.getName());

    private final CallStore store;
    private final int calls;
    private final Duration bound;

    public CallerHistory(CallStore store, int calls, Duration bound) {
        this.store = store;
        this.calls = calls;
        this.bound = bound;
    }

    /** The caller's last calls, newest first; empty for a withheld number or when the lookup fails. */
    public List<PastCall> recall(String fromNumber) {
        if (!recognisable(fromNumber)) {
            return List.of();
        }
        FutureTask<List<PastCall>> lookup = new FutureTask<>(() -> store.recentCalls(fromNumber, calls));
        Thread.ofVirtual().name("caller-history").start(lookup);
        try {
            return lookup.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // Not interrupted: an interrupt closes the socket under the query (pgjdbc: "Closed by interrupt"), and the
            // pool then throws the connection away and opens another (a new PostgreSQL backend) just when the database
            // is already slow. Left alone, the query ends by itself, within the pool's socket timeout at the latest,
            // and its answer is dropped.
            lookup.cancel(false);
            LOG.warning("caller history lookup took over " + bound.toMillis() + " ms; answering without it");
        } catch (ExecutionException e) {
            LOG.warning("caller history lookup failed; answering without it: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return List.of();
    }

    /**
     * Whether a caller can be told apart by this number: a phone number, not a withheld one ("anonymous",
     * "restricted") or a SIP address. Only such callers are remembered, and filed as CRM contacts.
     */
    public static boolean recognisable(String fromNumber) {
        return fromNumber != null && fromNumber.matches("\\+?[0-9]{5,16}");
    }

    /** The caller's name as learnt on their latest call that revealed it. */
    public static Optional<String> name(List<PastCall> history) {
        return history.stream()
                .map(c -> c.facts().get("name"))
                .filter(n -> n != null && !n.isBlank())
                .findFirst()
                .map(String::strip);
    }
}
