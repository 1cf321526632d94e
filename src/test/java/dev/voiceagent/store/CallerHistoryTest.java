package dev.voiceagent.store;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/**
 * The caller-history lookup as a call starts: bounded in time, and a lookup over its bound is abandoned without being
 * interrupted (an interrupt closes the JDBC socket under the query, and the pool then replaces the connection, a new
 * PostgreSQL backend, just when the database is slow).
 */
class CallerHistoryTest {

    private static final PastCall LAST_WEEK = new PastCall("CA1", Instant.parse("2026-11-27T10:00:00Z"),
                                                           "Booked a table for two.", Map.of("name", "Jane"));

    @Test
    void aQuickLookupIsAnswered() {
        CallerHistory history = new CallerHistory(storeAnswering(() -> List.of(LAST_WEEK)), 3, Duration.ofSeconds(2));

        assertThat(history.recall("+15550001"), is(List.of(LAST_WEEK)));
    }

    @Test
    void aLookupOverItsBoundIsAnsweredWithoutAndLeftToFinishUninterrupted() throws Exception {
        CountDownLatch databaseAnswers = new CountDownLatch(1);
        CompletableFuture<Boolean> finishedUninterrupted = new CompletableFuture<>();
        CallStore slow = storeAnswering(() -> {
            try {
                databaseAnswers.await();
                finishedUninterrupted.complete(!Thread.currentThread().isInterrupted());
            } catch (InterruptedException e) {
                finishedUninterrupted.complete(false);
            }
            return List.of(LAST_WEEK);
        });
        CallerHistory history = new CallerHistory(slow, 3, Duration.ofMillis(50));

        assertThat(history.recall("+15550001"), is(empty()));

        databaseAnswers.countDown();
        assertThat(finishedUninterrupted.get(5, TimeUnit.SECONDS), is(true));
    }

    @Test
    void aWithheldNumberIsNotLookedUp() {
        CallerHistory history = new CallerHistory(storeAnswering(() -> {
            throw new AssertionError("looked up a withheld number");
        }), 3, Duration.ofSeconds(2));

        assertThat(history.recall("anonymous"), is(empty()));
    }

    /** A store whose {@code recentCalls} answers with {@code answer}; nothing else of it is used here. */
    private static CallStore storeAnswering(Supplier<List<PastCall>> answer) {
        return (CallStore) Proxy.newProxyInstance(CallStore.class.getClassLoader(), new Class<?>[] {CallStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("recentCalls")) {
                        return answer.get();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
