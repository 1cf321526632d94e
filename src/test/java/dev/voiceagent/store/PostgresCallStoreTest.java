package dev.voiceagent.store;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PostgresCallStoreTest {

    private static final Duration HOUR = Duration.ofHours(1);
    // PostgreSQL keeps microseconds
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.MICROS);
    private static final Instant GIVE_UP = T0.plus(Duration.ofDays(1));

    private static Database database;
    private static CallStore store;

    @TempDir
    static Path dataDir;

    @BeforeAll
    static void openDatabase() {
        database = Database.open(Optional.of(TestDatabase.fresh("call_store")), dataDir);
        store = new PostgresCallStore(database.client());
    }

    @AfterAll
    static void closeDatabase() {
        if (database != null) {
            database.close();
        }
    }

    @BeforeEach
    void emptyTables() {
        database.client().execute().dml("TRUNCATE calls, turns, facts, deliveries, tool_calls RESTART IDENTITY");
    }

    // ---- during the call ---------------------------------------------------------------------------------

    @Test
    void openIsIdempotent() {
        store.open(opened("CA1", "+15550001", T0));
        store.open(new CallOpened("CA1", "MZ-other", "+15559999", "+15559998", "other", T0.plusSeconds(5)));

        StoredCall call = store.call("CA1").orElseThrow().call();
        assertThat(call, is(new StoredCall("CA1", "MZCA1", "+15550001", "+15557777", "dental", T0, Optional.empty(),
                                           Optional.empty(), Optional.empty(), "in_progress", Optional.empty(),
                                           Optional.empty())));
        assertThat(store.calls(Optional.empty(), 10, 0).total(), is(1L));
    }

    @Test
    void aSessionOutcomeIsStoredWithItsCallAndTheLatestReportWins() {
        store.open(new CallOpened("CA9", "MZCA9", "+15550001", "+15557777", "dental", T0));
        store.sessionOutcome("CA9", "failed 64105: socket closed");
        store.sessionOutcome("CA9", "ended; handoff {\"reasonCode\":\"agent-ended\"}");
        store.sessionOutcome("CA-unknown", "ended");
        assertThat(store.call("CA9").orElseThrow().call().sessionOutcome(),
                   is(Optional.of("ended; handoff {\"reasonCode\":\"agent-ended\"}")));
    }

    @Test
    void turnsAreStoredOnceAndReadInOrder() {
        store.open(opened("CA1", "+15550001", T0));
        TurnRecord agent = new TurnRecord("CA1", 2, TurnRecord.Role.AGENT, "Hello, how can I help?", T0.plusSeconds(3),
                                          T0.plusSeconds(5), true, Map.of("stt", 180L, "voiceToVoice", 640L));
        TurnRecord callerLater = new TurnRecord("CA1", 3, TurnRecord.Role.CALLER, "A cleaning, please.",
                                                T0.plusSeconds(6), T0.plusSeconds(8), false, Map.of());
        TurnRecord callerFirst = new TurnRecord("CA1", 1, TurnRecord.Role.CALLER, "Hi", T0.plusSeconds(1),
                                                T0.plusSeconds(2), false, Map.of());
        store.addTurn(callerLater);
        store.addTurn(agent);
        store.addTurn(callerFirst);
        store.addTurn(new TurnRecord("CA1", 2, TurnRecord.Role.AGENT, "a retried write", T0, T0, false, Map.of()));

        assertThat(store.call("CA1").orElseThrow().turns(), is(List.of(callerFirst, agent, callerLater)));
    }

    @Test
    void closeCompletesTheCallAndQueuesExactlyOneExtraction() {
        store.open(opened("CA1", "+15550001", T0));
        CallClosed closed = new CallClosed("CA1", T0.plusSeconds(42), 42_000, "caller hung up");
        store.close(closed, GIVE_UP);
        store.close(new CallClosed("CA1", T0.plusSeconds(99), 99_000, "repeated"), GIVE_UP.plusSeconds(1));

        CallDetail detail = store.call("CA1").orElseThrow();
        assertThat(detail.call().status(), is("completed"));
        assertThat(detail.call().endedAt(), is(Optional.of(T0.plusSeconds(42))));
        assertThat(detail.call().durationMs(), is(Optional.of(42_000L)));
        assertThat(detail.call().endReason(), is(Optional.of("caller hung up")));
        assertThat(detail.deliveries().size(), is(1));
        DeliveryStatus extraction = detail.deliveries().getFirst();
        assertThat(extraction.target(), is(CallStore.EXTRACTION));
        assertThat(extraction.status(), is("pending"));
        assertThat(extraction.attempts(), is(0));
        assertThat(extraction.lastError(), is(Optional.empty()));
        assertThat(store.backlog(), is(Map.of("extraction", 1L, "gohighlevel", 0L, "webhook", 0L)));

        List<Delivery> due = store.claimDue(10, HOUR);
        assertThat(due, is(List.of(new Delivery(1, "CA1", CallStore.EXTRACTION, 0, GIVE_UP, Map.of()))));
    }

    @Test
    void closeIsOneTransaction() {
        store.open(opened("CA1", "+15550001", T0));
        // give_up_at is NOT NULL: queueing fails, so the call must not be marked completed either
        assertThrows(StoreException.class, () -> store.close(new CallClosed("CA1", T0, 1, "x"), null));

        CallDetail detail = store.call("CA1").orElseThrow();
        assertThat(detail.call().status(), is("in_progress"));
        assertThat(detail.deliveries(), is(empty()));
    }

    @Test
    void abandonStaleEndsCallsCutOffByACrashAndQueuesTheirExtraction() {
        Instant twoHoursAgo = T0.minus(Duration.ofHours(2));
        store.open(opened("CA-crashed", "+15550001", twoHoursAgo));
        store.addTurn(new TurnRecord("CA-crashed", 1, TurnRecord.Role.CALLER, "Hi", twoHoursAgo.plusSeconds(1),
                                     twoHoursAgo.plusSeconds(90), false, Map.of()));
        store.open(opened("CA-crashed-silent", "+15550002", twoHoursAgo));
        store.open(opened("CA-done", "+15550003", twoHoursAgo));
        store.close(new CallClosed("CA-done", twoHoursAgo.plusSeconds(10), 10_000, "caller hung up"), GIVE_UP);
        store.open(opened("CA-live", "+15550004", T0));

        assertThat(store.abandonStale(T0.minusSeconds(60), GIVE_UP), is(2));
        assertThat("a second run finds nothing", store.abandonStale(T0.minusSeconds(60), GIVE_UP), is(0));

        StoredCall crashed = store.call("CA-crashed").orElseThrow().call();
        assertThat(crashed.status(), is("abandoned"));
        assertThat(crashed.endReason(), is(Optional.of("server stopped")));
        assertThat("ended when last heard", crashed.endedAt(), is(Optional.of(twoHoursAgo.plusSeconds(90))));
        assertThat(crashed.durationMs(), is(Optional.of(90_000L)));
        assertThat(store.call("CA-crashed-silent").orElseThrow().call().durationMs(), is(Optional.of(0L)));
        assertThat(store.call("CA-done").orElseThrow().call().status(), is("completed"));
        assertThat(store.call("CA-live").orElseThrow().call().status(), is("in_progress"));
        assertThat(store.claimDue(10, HOUR).stream().map(Delivery::callSid).sorted().toList(),
                   is(List.of("CA-crashed", "CA-crashed-silent", "CA-done")));
    }

    // ---- returning callers and the call API ---------------------------------------------------------------

    @Test
    void recentCallsAreTheCallersSummarisedCallsNewestFirst() {
        summarised("CA1", "+15550001", T0.minus(Duration.ofHours(4)), "first call", Map.of("name", "Ana"));
        summarised("CA2", "+15550001", T0.minus(Duration.ofHours(3)), "second call", Map.of());
        store.open(opened("CA3", "+15550001", T0.minus(Duration.ofHours(2)))); // never summarised
        summarised("CA4", "+15550001", T0.minus(Duration.ofHours(1)), " ", Map.of()); // blank summary
        summarised("CA5", "+15550001", T0.minus(Duration.ofMinutes(30)), "latest call",
                   Map.of("name", "Ana", "reason", "cleaning"));
        summarised("CB1", "+15550002", T0, "someone else", Map.of());

        assertThat(store.recentCalls("+15550001", 2), is(List.of(
                new PastCall("CA5", T0.minus(Duration.ofMinutes(30)), "latest call",
                             Map.of("name", "Ana", "reason", "cleaning")),
                new PastCall("CA2", T0.minus(Duration.ofHours(3)), "second call", Map.of()))));
        assertThat(store.recentCalls("+15550001", 10).stream().map(PastCall::callSid).toList(),
                   is(List.of("CA5", "CA2", "CA1")));
        assertThat(store.recentCalls("+15550001", 0), is(empty()));
        assertThat(store.recentCalls("+15550003", 5), is(empty()));
    }

    @Test
    void callsArePagedNewestFirstWithTheTotalAndFilteredByPhone() {
        store.open(new CallOpened("C1", "M1", "+1A", "+1AGENT", "dental", T0.minusSeconds(50)));
        store.open(new CallOpened("C2", "M2", "+1B", "+1AGENT", "dental", T0.minusSeconds(40)));
        store.open(new CallOpened("C3", "M3", "+1A", "+1AGENT", "dental", T0.minusSeconds(30)));
        store.open(new CallOpened("C4", "M4", "+1AGENT", "+1A", "dental", T0.minusSeconds(20)));
        store.open(new CallOpened("C5", "M5", "+1C", "+1AGENT", "dental", T0.minusSeconds(10)));

        CallPage first = store.calls(Optional.empty(), 2, 0);
        assertThat(first.total(), is(5L));
        assertThat(sids(first), is(List.of("C5", "C4")));
        assertThat(sids(store.calls(Optional.empty(), 2, 2)), is(List.of("C3", "C2")));
        CallPage last = store.calls(Optional.empty(), 2, 4);
        assertThat(sids(last), is(List.of("C1")));
        assertThat(last.total(), is(5L));
        assertThat(store.calls(Optional.empty(), 2, 10).calls(), is(empty()));

        CallPage fromOrToA = store.calls(Optional.of("+1A"), 10, 0);
        assertThat(sids(fromOrToA), is(List.of("C4", "C3", "C1")));
        assertThat(fromOrToA.total(), is(3L));
        assertThat(store.calls(Optional.of("+1NOBODY"), 10, 0), is(new CallPage(List.of(), 0)));
    }

    @Test
    void callDetailHasTurnsFactsAndDeliveries() {
        summarised("CA1", "+15550001", T0, "booked a cleaning", Map.of("name", "Ana"));
        store.addTurn(new TurnRecord("CA1", 1, TurnRecord.Role.CALLER, "Hi", T0, T0.plusSeconds(1), false, Map.of()));

        CallDetail detail = store.call("CA1").orElseThrow();
        assertThat(detail.call().summary(), is(Optional.of("booked a cleaning")));
        assertThat(detail.turns().size(), is(1));
        assertThat(detail.facts(), is(Map.of("name", "Ana")));
        assertThat(detail.deliveries().getFirst().status(), is("delivered"));
        assertThat(store.call("CA-unknown"), is(Optional.empty()));
    }

    // ---- the after-call outbox ----------------------------------------------------------------------------

    @Test
    void claimDueTakesDueRowsOldestFirstUpToMaxAndHidesThemForTheLease() throws Exception {
        closedCall("CA1");
        closedCall("CA2");
        closedCall("CA3");

        assertThat(ids(store.claimDue(2, Duration.ofMillis(500))), is(List.of(1L, 2L)));
        assertThat(ids(store.claimDue(10, HOUR)), is(List.of(3L)));
        assertThat("all leased", store.claimDue(10, HOUR), is(empty()));

        Thread.sleep(700); // the first lease runs out: a worker that died loses its claim
        assertThat(ids(store.claimDue(10, HOUR)), is(List.of(1L, 2L)));
        assertThat(store.claimDue(10, HOUR), is(empty()));
    }

    @Test
    void aRetryIsNotDueBeforeItsTime() {
        closedCall("CA1");
        long id = store.claimDue(1, Duration.ZERO).getFirst().id();
        store.retryAt(id, Instant.now().plus(HOUR), "timeout");
        assertThat(store.claimDue(10, HOUR), is(empty()));

        store.retryAt(id, Instant.now().minusSeconds(1), "timeout again");
        Delivery due = store.claimDue(10, HOUR).getFirst();
        assertThat(due.id(), is(id));
        assertThat(due.attempts(), is(2));
    }

    @Test
    void concurrentClaimersNeverGetTheSameRow() throws Exception {
        int rows = 60;
        for (int i = 0; i < rows; i++) {
            closedCall("CA" + i);
        }
        int workers = 4;
        CountDownLatch go = new CountDownLatch(1);
        List<Long> claimed = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(workers)) {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                results.add(threads.submit(() -> {
                    go.await();
                    List<Long> mine = new ArrayList<>();
                    List<Delivery> batch;
                    while (!(batch = store.claimDue(3, HOUR)).isEmpty()) {
                        mine.addAll(ids(batch));
                    }
                    return mine;
                }));
            }
            go.countDown();
            for (Future<List<Long>> result : results) {
                claimed.addAll(result.get(30, TimeUnit.SECONDS));
            }
        }
        Set<Long> distinct = new HashSet<>(claimed);
        assertThat("no row claimed twice", claimed.size(), is(distinct.size()));
        assertThat("every row claimed", distinct.size(), is(rows));
    }

    @Test
    void saveProgressMergesIntoTheStoredProgress() {
        closedCall("CA1");
        long id = store.claimDue(1, Duration.ZERO).getFirst().id();
        store.saveProgress(id, Map.of("contactId", "c-1"));
        store.saveProgress(id, Map.of("noteId", "n-1", "tagged", "true"));
        store.saveProgress(id, Map.of("noteId", "n-2"));
        store.saveProgress(id, Map.of());

        assertThat(store.claimDue(1, HOUR).getFirst().progress(),
                   is(Map.of("contactId", "c-1", "noteId", "n-2", "tagged", "true")));
    }

    @Test
    void retryAndFailedCountTheAttemptAndKeepTheError() {
        closedCall("CA1");
        long id = store.claimDue(1, HOUR).getFirst().id();
        String longError = "HTTP 502: " + "x".repeat(2_000);
        store.retryAt(id, Instant.now().minusSeconds(1), longError);

        Delivery again = store.claimDue(1, HOUR).getFirst();
        assertThat(again.attempts(), is(1));
        DeliveryStatus status = store.call("CA1").orElseThrow().deliveries().getFirst();
        assertThat(status.lastError().orElseThrow().length(), is(PostgresCallStore.MAX_ERROR_LENGTH + 1));
        assertThat(status.lastError().orElseThrow(), containsString("HTTP 502: xxx"));
        assertThat(status.status(), is("pending"));

        store.failed(id, "gave up after 24 h");
        status = store.call("CA1").orElseThrow().deliveries().getFirst();
        assertThat(status.status(), is("failed"));
        assertThat(status.attempts(), is(2));
        assertThat(status.lastError(), is(Optional.of("gave up after 24 h")));
        assertThat(store.backlog().get(CallStore.EXTRACTION), is(0L));

        store.delivered(id); // a late outcome from an expired lease changes nothing
        store.retryAt(id, Instant.now(), "late");
        assertThat(store.call("CA1").orElseThrow().deliveries().getFirst(), is(status));
        assertThat(store.claimDue(10, Duration.ZERO), is(empty()));
    }

    @Test
    void deliveredIsDone() {
        closedCall("CA1");
        long id = store.claimDue(1, Duration.ZERO).getFirst().id();
        store.delivered(id);

        DeliveryStatus status = store.call("CA1").orElseThrow().deliveries().getFirst();
        assertThat(status.status(), is("delivered"));
        assertThat(status.attempts(), is(0));
        assertThat(store.claimDue(10, Duration.ZERO), is(empty()));
        assertThat(store.backlog().get(CallStore.EXTRACTION), is(0L));
    }

    @Test
    void extractedStoresSummaryAndFactsAndQueuesTheFollowUpsInOneGo() {
        closedCall("CA1");
        long id = store.claimDue(1, HOUR).getFirst().id();
        store.extracted(id, "CA1", "Wants a cleaning next week.", Map.of("name", "Ana", "reason", "cleaning"),
                        List.of(CallStore.GOHIGHLEVEL, CallStore.WEBHOOK), GIVE_UP);

        CallDetail detail = store.call("CA1").orElseThrow();
        assertThat(detail.call().summary(), is(Optional.of("Wants a cleaning next week.")));
        assertThat(detail.facts(), is(Map.of("name", "Ana", "reason", "cleaning")));
        assertThat(detail.deliveries().stream().map(d -> d.target() + ":" + d.status()).toList(),
                   is(List.of("extraction:delivered", "gohighlevel:pending", "webhook:pending")));
        assertThat(store.backlog(), is(Map.of("extraction", 0L, "gohighlevel", 1L, "webhook", 1L)));

        // a repeated extraction (an expired lease) updates facts and queues nothing twice
        store.extracted(id, "CA1", "Wants a cleaning on Monday.", Map.of("reason", "cleaning on Monday"),
                        List.of(CallStore.GOHIGHLEVEL, CallStore.WEBHOOK), GIVE_UP);
        detail = store.call("CA1").orElseThrow();
        assertThat(detail.facts(), is(Map.of("name", "Ana", "reason", "cleaning on Monday")));
        assertThat(detail.deliveries().size(), is(3));

        List<Delivery> followUps = store.claimDue(10, HOUR);
        assertThat(followUps.stream().map(Delivery::target).toList(), is(List.of(CallStore.GOHIGHLEVEL, CallStore.WEBHOOK)));
        assertThat(followUps.getFirst().giveUpAt(), is(GIVE_UP));
    }

    @Test
    void extractedIsAllOrNothing() {
        closedCall("CA1");
        long id = store.claimDue(1, Duration.ZERO).getFirst().id();
        assertThrows(StoreException.class, () -> store.extracted(
                id, "CA1", "summary", Map.of("name", "Ana"), List.of(CallStore.WEBHOOK, "fax"), GIVE_UP));

        CallDetail detail = store.call("CA1").orElseThrow();
        assertThat(detail.call().summary(), is(Optional.empty()));
        assertThat(detail.facts(), is(Map.of()));
        assertThat(detail.deliveries().stream().map(d -> d.target() + ":" + d.status()).toList(),
                   is(List.of("extraction:pending")));
    }

    @Test
    void extractionFailedMarksItFailedAndStillQueuesTheFollowUps() {
        closedCall("CA1");
        long id = store.claimDue(1, HOUR).getFirst().id();
        store.extractionFailed(id, "model returned no JSON", List.of(CallStore.GOHIGHLEVEL), GIVE_UP);

        CallDetail detail = store.call("CA1").orElseThrow();
        DeliveryStatus extraction = detail.deliveries().getFirst();
        assertThat(extraction.status(), is("failed"));
        assertThat(extraction.attempts(), is(1));
        assertThat(extraction.lastError(), is(Optional.of("model returned no JSON")));
        assertThat(detail.deliveries().get(1).target(), is(CallStore.GOHIGHLEVEL));
        assertThat(detail.deliveries().get(1).status(), is("pending"));
        assertThat(store.claimDue(10, HOUR).stream().map(Delivery::target).toList(), is(List.of(CallStore.GOHIGHLEVEL)));
    }

    @Test
    void backlogCountsPendingDeliveriesByTarget() {
        assertThat(store.backlog(), is(Map.of("extraction", 0L, "gohighlevel", 0L, "webhook", 0L)));
        closedCall("CA1");
        closedCall("CA2");
        assertThat(store.backlog(), is(Map.of("extraction", 2L, "gohighlevel", 0L, "webhook", 0L)));
    }

    // ---- outages ------------------------------------------------------------------------------------------

    @Test
    void anUnreachableDatabaseFailsFastWithAStoreException() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        long start = System.nanoTime();
        StoreException e = assertThrows(StoreException.class, () -> Database.open(
                Optional.of("postgres://agent:s3cret@127.0.0.1:" + closedPort + "/voice"), dataDir));
        assertThat(Duration.ofNanos(System.nanoTime() - start), lessThan(Duration.ofSeconds(5)));
        assertThat(e.getMessage(), containsString("127.0.0.1:" + closedPort));
        assertThat(e.getMessage(), not(containsString("s3cret")));
    }

    @Test
    void aDatabaseThatGoesAwayFailsCallsFastAndTheStoreRecovers() throws Exception {
        String name = "outage";
        String url = TestDatabase.fresh(name);
        String database = url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
        try (Database db = Database.open(Optional.of(url), dataDir)) {
            CallStore outageStore = new PostgresCallStore(db.client());
            outageStore.open(opened("CA1", "+15550001", T0));

            admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false",
                  "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");
            long start = System.nanoTime();
            StoreException e = assertThrows(StoreException.class, outageStore::backlog);
            assertThat(Duration.ofNanos(System.nanoTime() - start), lessThan(Duration.ofSeconds(5)));
            assertThat(e.getMessage(), containsString("Could not count pending deliveries"));
            assertThrows(StoreException.class, () -> outageStore.addTurn(
                    new TurnRecord("CA1", 1, TurnRecord.Role.CALLER, "Hi", T0, T0, false, Map.of())));

            admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
            assertThat(outageStore.call("CA1").orElseThrow().call().status(), is("in_progress"));
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static CallOpened opened(String callSid, String from, Instant startedAt) {
        return new CallOpened(callSid, "MZ" + callSid, from, "+15557777", "dental", startedAt);
    }

    private static void closedCall(String callSid) {
        store.open(opened(callSid, "+15550001", T0));
        store.close(new CallClosed(callSid, T0.plusSeconds(30), 30_000, "caller hung up"), GIVE_UP);
    }

    /** A call that went through extraction, with no follow-ups left due. */
    private static void summarised(String callSid, String from, Instant startedAt, String summary,
                                   Map<String, String> facts) {
        store.open(opened(callSid, from, startedAt));
        store.close(new CallClosed(callSid, startedAt.plusSeconds(30), 30_000, "caller hung up"), GIVE_UP);
        Delivery extraction = store.claimDue(1, HOUR).getFirst();
        assertThat(extraction.callSid(), is(callSid));
        store.extracted(extraction.id(), callSid, summary, facts, List.of(), GIVE_UP);
    }

    private static void admin(String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection(
                "jdbc:postgresql://localhost:" + TestDatabase.port() + "/postgres", EmbeddedDatabase.USER, "");
             Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private static List<Long> ids(List<Delivery> deliveries) {
        return deliveries.stream().map(Delivery::id).toList();
    }

    private static List<String> sids(CallPage page) {
        return page.calls().stream().map(StoredCall::callSid).toList();
    }
}
