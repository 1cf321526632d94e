package dev.voiceagent.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Schema migrations run by Flyway: once each, with checksums, taking over databases of the old runner. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SchemaMigrationsTest {

    private static final List<String> TABLES = List.of("calls", "turns", "facts", "deliveries");

    @Test
    void aFreshDatabaseGetsEveryMigrationOnceWithItsChecksum() {
        DatabaseUrl url = DatabaseUrl.parse(TestDatabase.fresh("flyway_fresh"));
        int applied = SchemaMigrations.apply(url);
        assertThat(applied > 0, is(true));
        assertThat("second run is a no-op", SchemaMigrations.apply(url), is(0));
        try (DbClient db = Database.connect(url)) {
            List<DbRow> rows = history(db);
            assertThat(rows.size(), is(applied));
            assertThat(Sql.string(rows.getFirst(), "version"), is("1"));
            assertThat(Sql.string(rows.getFirst(), "description"), is("calls turns facts deliveries"));
            assertThat(rows.getFirst().column("checksum").get(Integer.class), notNullValue());
            for (String table : TABLES) {
                assertThat(table, regclass(db, table), is(table));
            }
        }
    }

    @Test
    void aDatabaseOfTheOldRunnerIsTakenOverWithoutRerunningItsMigrations() {
        DatabaseUrl url = DatabaseUrl.parse(TestDatabase.fresh("flyway_takeover"));
        try (DbClient db = Database.connect(url)) {
            // What the old runner left: its table with V1 recorded, the V1 schema, and a row of data.
            db.execute().dml("CREATE TABLE schema_migrations (version INT PRIMARY KEY, name TEXT NOT NULL, "
                             + "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
            db.execute().dml(v1Sql());
            db.execute().insert("INSERT INTO schema_migrations (version, name) VALUES (1, 'calls_turns_facts_deliveries')");
            db.execute().insert("INSERT INTO calls (call_sid, stream_sid, from_number, to_number, persona_id, "
                                + "started_at, status) VALUES ('CA1', 'MZ1', '+1', '+2', 'p', now(), 'in_progress')");

            // Re-running V1 would fail ("relation calls already exists"); it is baselined instead, and only the
            // migrations after it are applied.
            int applied = SchemaMigrations.apply(url);
            List<DbRow> rows = history(db);
            assertThat("every migration after V1 applied, V1 only baselined", applied, is(rows.size() - 1));
            assertThat(applied >= 1, is(true));
            assertThat(Sql.string(rows.getFirst(), "version"), is("1"));
            assertThat(Sql.string(rows.getFirst(), "type"), is("BASELINE"));
            assertThat(Sql.string(rows.get(1), "version"), is("2"));
            assertThat("data kept", db.execute().get("SELECT count(*) AS n FROM calls")
                    .map(r -> r.column("n").get(Long.class)).orElseThrow(), is(1L));
            assertThat("next start: nothing to do", SchemaMigrations.apply(url), is(0));
        }
    }

    @Test
    void aMigrationChangedAfterItWasAppliedIsRefused(@TempDir Path dir) throws Exception {
        DatabaseUrl url = DatabaseUrl.parse(TestDatabase.fresh("flyway_changed"));
        Path v1 = dir.resolve("V1__notes.sql");
        Files.writeString(v1, "CREATE TABLE notes (id INT PRIMARY KEY);\n");
        assertThat(SchemaMigrations.apply(url, "filesystem:" + dir), is(1));

        Files.writeString(v1, "CREATE TABLE notes (id INT PRIMARY KEY, text TEXT);\n");
        StoreException e = assertThrows(StoreException.class, () -> SchemaMigrations.apply(url, "filesystem:" + dir));
        assertThat(e.getMessage(), containsString("checksum mismatch"));
        assertThat(e.getMessage().contains("\n"), is(false));
    }

    @Test
    void twoInstancesMigratingAtOnceDoNotRace() throws Exception {
        DatabaseUrl url = DatabaseUrl.parse(TestDatabase.fresh("flyway_race"));
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newFixedThreadPool(3)) {
            List<Future<Integer>> runs = Stream.generate(() -> threads.submit(() -> {
                go.await();
                return SchemaMigrations.apply(url);
            })).limit(3).toList();
            go.countDown();
            int applied = 0;
            for (Future<Integer> run : runs) {
                applied += run.get(60, TimeUnit.SECONDS);
            }
            try (DbClient db = Database.connect(url)) {
                assertThat("each migration applied exactly once", applied, is(history(db).size()));
            }
        }
    }

    @Test
    void anUnreachableDatabaseIsAStoreExceptionThatSaysSo() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        DatabaseUrl url = DatabaseUrl.parse(TestDatabase.throughPort(TestDatabase.fresh("flyway_down"), closedPort));
        StoreException e = assertThrows(StoreException.class, () -> SchemaMigrations.apply(url));
        assertThat("a blip worth retrying", Database.unreachable(e), is(true));
    }

    private static List<DbRow> history(DbClient db) {
        try (Stream<DbRow> rows = db.execute().query("SELECT version, description, type, checksum FROM "
                                                     + SchemaMigrations.HISTORY_TABLE
                                                     + " WHERE success ORDER BY installed_rank")) {
            return rows.toList();
        }
    }

    private static String regclass(DbClient db, String table) {
        return db.execute().get("SELECT to_regclass(?)::text AS t", table).map(r -> Sql.string(r, "t")).orElse(null);
    }

    private static String v1Sql() {
        try (var in = SchemaMigrationsTest.class.getClassLoader()
                .getResourceAsStream("db/migration/V1__calls_turns_facts_deliveries.sql")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
