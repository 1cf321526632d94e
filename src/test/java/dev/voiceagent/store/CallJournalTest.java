package dev.voiceagent.store;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.voiceagent.fakes.TcpProxy;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/** The journal stores call records in order behind the call's back, and keeps them through an outage. */
class CallJournalTest {

    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.MICROS);

    @TempDir
    Path dataDir;

    @Test
    void recordsAreStoredInTheOrderTheyWereHandedOver() throws Exception {
        try (Database db = Database.open(Optional.of(TestDatabase.fresh("journal")), dataDir);
             CallJournal journal = new CallJournal(new PostgresCallStore(db.client()), 1000)) {
            CallStore store = new PostgresCallStore(db.client());
            journal.opened(call("CA" + "1".repeat(32)));
            for (int i = 1; i <= 20; i++) {
                journal.turn(turn("CA" + "1".repeat(32), i));
            }
            journal.closed(new CallClosed("CA" + "1".repeat(32), T0.plusSeconds(30), 30_000, "caller hung up"),
                           T0.plus(Duration.ofDays(1)));
            assertThat(journal.flush(Duration.ofSeconds(10)), is(true));
            CallDetail stored = store.call("CA" + "1".repeat(32)).orElseThrow();
            assertThat(stored.turns().size(), is(20));
            assertThat(stored.call().status(), is("completed"));
            assertThat(journal.pending(), is(0));
        }
    }

    @Test
    void anOutageKeepsTheRecordsUntilTheDatabaseIsBack() throws Exception {
        String direct = TestDatabase.fresh("journal_outage");
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", TestDatabase.port());
             Database db = Database.open(Optional.of(TestDatabase.throughPort(direct, proxy.port())), dataDir);
             Database check = Database.open(Optional.of(direct), dataDir);
             CallJournal journal = new CallJournal(new PostgresCallStore(db.client()), 1000)) {
            String sid = "CA" + "2".repeat(32);
            journal.opened(call(sid));
            assertThat(journal.flush(Duration.ofSeconds(10)), is(true));

            proxy.cut();
            long started = System.nanoTime();
            journal.turn(turn(sid, 1));
            journal.turn(turn(sid, 2));
            assertThat("handing over never waits for the database", System.nanoTime() - started < 50_000_000L, is(true));
            waitFor(journal::databaseDown);
            assertThat(journal.pending(), greaterThan(0));

            proxy.restore();
            assertThat(journal.flush(Duration.ofSeconds(20)), is(true));
            assertThat(journal.databaseDown(), is(false));
            assertThat(new PostgresCallStore(check.client()).call(sid).orElseThrow().turns().stream()
                               .map(TurnRecord::seq).toList(), contains(1, 2));
        }
    }

    @Test
    void aRecordTheDatabaseRefusesIsSkippedWithoutHoldingUpTheOthers() throws Exception {
        try (Database db = Database.open(Optional.of(TestDatabase.fresh("journal_refused")), dataDir);
             CallJournal journal = new CallJournal(new PostgresCallStore(db.client()), 1000)) {
            journal.turn(turn("CA" + "9".repeat(32), 1));   // a call never opened: a foreign-key violation
            journal.opened(call("CA" + "3".repeat(32)));
            journal.turn(turn("CA" + "3".repeat(32), 1));
            assertThat(journal.flush(Duration.ofSeconds(10)), is(true));
            assertThat(new PostgresCallStore(db.client()).call("CA" + "3".repeat(32)).orElseThrow().turns().size(), is(1));
        }
    }

    private static CallOpened call(String sid) {
        return new CallOpened(sid, "MZ" + sid.substring(2), "+15550001111", "+15550100001", "tester", T0);
    }

    private static TurnRecord turn(String sid, int seq) {
        return new TurnRecord(sid, seq, seq % 2 == 0 ? TurnRecord.Role.AGENT : TurnRecord.Role.CALLER, "turn " + seq,
                              T0.plusSeconds(seq), T0.plusSeconds(seq + 1), false, Map.of());
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in 15 s");
            }
            Thread.sleep(20);
        }
    }
}
