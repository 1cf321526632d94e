package dev.voiceagent.store;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
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
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/**
 * Instances sharing one database: a live instance's calls are never taken; an instance that stopped heartbeating,
 * or stopped cleanly, has its calls abandoned and queued for the CRM exactly once, however many instances look at
 * the same moment, and its outbox claims released.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InstancesTest {

    private static final Duration DEAD_AFTER = Duration.ofSeconds(30);
    private static final Duration LEASE = Duration.ofMinutes(2);
    /** Per test: starting the database can take a while. */
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    private final Instant giveUp = now.plus(Duration.ofDays(1));

    private static Database database;

    @TempDir
    static Path dataDir;

    private Instances a;
    private Instances b;
    private PostgresCallStore storeOfA;
    private PostgresCallStore reader;

    @BeforeAll
    static void openDatabase() {
        database = Database.open(Optional.of(TestDatabase.fresh("instances")), dataDir);
    }

    @AfterAll
    static void closeDatabase() {
        if (database != null) {
            database.close();
        }
    }

    @BeforeEach
    void twoLiveInstances() {
        database.client().execute().dml("TRUNCATE calls, turns, facts, deliveries, tool_calls, instances RESTART IDENTITY");
        a = new Instances(database::client, "instance-a", "host-a");
        b = new Instances(database::client, "instance-b", "host-b");
        storeOfA = new PostgresCallStore(database.client(), a.id());
        reader = new PostgresCallStore(database.client());
        a.heartbeat();
        b.heartbeat();
    }

    @Test
    void aLiveInstancesCallsAreLeftAlone() {
        callOn(storeOfA, "CA-live", now.minusSeconds(600));

        assertThat(b.takeOver(DEAD_AFTER, giveUp).any(), is(false));
        assertThat("an instance never takes over its own calls, even when its own heartbeat looks old",
                   a.takeOver(Duration.ZERO, giveUp).any(), is(false));
        assertThat(reader.call("CA-live").orElseThrow().call().status(), is("in_progress"));
        assertThat(reader.claimDue(10, LEASE), is(empty()));
    }

    @Test
    void aSilentInstancesCallsAreAbandonedWithWhatWasSaidAndQueuedOnce() {
        callOn(storeOfA, "CA-cut", now.minusSeconds(120));
        storeOfA.addTurn(new TurnRecord("CA-cut", 1, TurnRecord.Role.CALLER, "I need a plumber", now.minusSeconds(110),
                                        now.minusSeconds(100), false, Map.of()));
        callOn(storeOfA, "CA-finished", now.minusSeconds(120));
        storeOfA.close(new CallClosed("CA-finished", now.minusSeconds(60), 60_000, "caller hung up"), giveUp);
        silence(a, Duration.ofSeconds(31));

        Instances.Takeover found = b.takeOver(DEAD_AFTER, giveUp);
        assertThat(found.abandonedCalls(), is(List.of("CA-cut")));
        assertThat("a second look finds nothing more", b.takeOver(DEAD_AFTER, giveUp).any(), is(false));

        CallDetail cut = reader.call("CA-cut").orElseThrow();
        assertThat(cut.call().status(), is("abandoned"));
        assertThat(cut.call().endReason(), is(Optional.of("server stopped")));
        assertThat("ended when last heard", cut.call().endedAt(), is(Optional.of(now.minusSeconds(100))));
        assertThat(cut.turns().getFirst().text(), is("I need a plumber"));
        assertThat(reader.call("CA-finished").orElseThrow().call().status(), is("completed"));
        assertThat(reader.claimDue(10, LEASE).stream().map(d -> d.callSid() + "/" + d.target()).sorted().toList(),
                   is(List.of("CA-cut/extraction", "CA-finished/extraction")));
    }

    @Test
    void anInstanceThatIsLateButNotDeadKeepsItsCalls() {
        callOn(storeOfA, "CA-slow-heartbeat", now.minusSeconds(120));
        silence(a, Duration.ofSeconds(20));

        assertThat(b.takeOver(DEAD_AFTER, giveUp).any(), is(false));
        assertThat(reader.call("CA-slow-heartbeat").orElseThrow().call().status(), is("in_progress"));
    }

    @Test
    void aCleanlyStoppedInstanceIsTakenOverAtOnce() {
        callOn(storeOfA, "CA-left-open", now.minusSeconds(5));
        a.stopped();

        assertThat("no waiting for the heartbeat to go stale", b.takeOver(DEAD_AFTER, giveUp).abandonedCalls(),
                   is(List.of("CA-left-open")));
    }

    @Test
    void aCallWhoseOwnerNeverRegisteredIsTakenOnceItIsOlderThanTheDeadline() {
        PostgresCallStore ghost = new PostgresCallStore(database.client(), "instance-never-registered");
        callOn(ghost, "CA-fresh", now.minusSeconds(5));
        callOn(ghost, "CA-old", now.minusSeconds(60));

        assertThat(b.takeOver(DEAD_AFTER, giveUp).abandonedCalls(), is(List.of("CA-old")));
        assertThat(reader.call("CA-fresh").orElseThrow().call().status(), is("in_progress"));
    }

    @Test
    void callsWithoutAnOwnerAreLeftToTheAgeBasedRecovery() {
        callOn(reader, "CA-old-server", now.minus(Duration.ofHours(2)));

        assertThat(b.takeOver(DEAD_AFTER, giveUp).any(), is(false));
        assertThat(reader.call("CA-old-server").orElseThrow().call().status(), is("in_progress"));
    }

    @Test
    void aDeadInstancesOutboxClaimsAreReleasedButItsScheduledRetriesAreNot() {
        callOn(storeOfA, "CA-claimed", now.minusSeconds(300));
        storeOfA.close(new CallClosed("CA-claimed", now.minusSeconds(200), 100_000, "caller hung up"), giveUp);
        callOn(storeOfA, "CA-retrying", now.minusSeconds(300));
        storeOfA.close(new CallClosed("CA-retrying", now.minusSeconds(200), 100_000, "caller hung up"), giveUp);
        List<Delivery> claimed = storeOfA.claimDue(10, LEASE);
        assertThat(claimed.size(), is(2));
        Delivery retrying = claimed.stream().filter(d -> d.callSid().equals("CA-retrying")).findFirst().orElseThrow();
        storeOfA.retryAt(retrying.id(), Instant.now().plus(Duration.ofMinutes(10)), "429 from the vendor");
        assertThat("under A's lease", reader.claimDue(10, LEASE), is(empty()));
        silence(a, Duration.ofSeconds(31));

        assertThat(b.takeOver(DEAD_AFTER, giveUp).releasedClaims(), is(1));
        assertThat(new PostgresCallStore(database.client(), b.id()).claimDue(10, LEASE).stream().map(Delivery::callSid).toList(),
                   is(List.of("CA-claimed")));
    }

    @Test
    void instancesTakingOverAtTheSameMomentAbandonEachCallExactlyOnce() throws Exception {
        List<String> sids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String sid = String.format("CA-many-%02d", i);
            callOn(storeOfA, sid, now.minusSeconds(60));
            sids.add(sid);
        }
        silence(a, Duration.ofSeconds(31));
        List<Instances> lookers = List.of(b, new Instances(database::client, "instance-c", "host-c"),
                                          new Instances(database::client, "instance-d", "host-d"));
        CyclicBarrier together = new CyclicBarrier(lookers.size());
        List<String> abandoned = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(lookers.size())) {
            List<Future<Instances.Takeover>> results = new ArrayList<>();
            for (Instances looker : lookers) {
                Callable<Instances.Takeover> look = () -> {
                    together.await(5, TimeUnit.SECONDS);
                    return looker.takeOver(DEAD_AFTER, giveUp);
                };
                results.add(pool.submit(look));
            }
            for (Future<Instances.Takeover> result : results) {
                abandoned.addAll(result.get(20, TimeUnit.SECONDS).abandonedCalls());
            }
        }

        assertThat("each call abandoned by exactly one instance", abandoned.stream().sorted().toList(), is(sids));
        long extractions = database.client().execute()
                .get("SELECT count(*) AS n FROM deliveries WHERE target = 'extraction'")
                .map(row -> row.column("n").getLong()).orElseThrow();
        assertThat("one extraction queued per call", extractions, is(50L));
    }

    @Test
    void goneInstancesAreForgottenOnceTheyOwnNoCallInProgress() {
        Instances gone = new Instances(database::client, "instance-gone", "host-gone");
        gone.heartbeat();
        silence(gone, Duration.ofDays(2));
        silence(a, Duration.ofDays(2));
        callOn(storeOfA, "CA-still-open", now.minus(Duration.ofDays(2)));

        assertThat(b.forget(Duration.ofDays(1)), is(1L));
        assertThat(instanceIds(), is(List.of("instance-a", "instance-b")));
    }

    private static void callOn(PostgresCallStore store, String sid, Instant startedAt) {
        store.open(new CallOpened(sid, "MZ" + sid, "+15550001", "+15557777", "dental", startedAt));
    }

    /** As if {@code instance} had not heartbeated for {@code silentFor}. */
    private static void silence(Instances instance, Duration silentFor) {
        database.client().execute().update("UPDATE instances SET last_heartbeat = now() - ? * interval '1 millisecond' "
                                           + "WHERE id = ?", silentFor.toMillis(), instance.id());
    }

    private static List<String> instanceIds() {
        try (var rows = database.client().execute().query("SELECT id FROM instances ORDER BY id")) {
            return rows.map(row -> row.column("id").getString()).toList();
        }
    }
}
