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

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MigrationsTest {

    @Test
    void theIndexListsEveryMigrationFileInOrder() throws Exception {
        List<String> files;
        try (Stream<Path> paths = Files.list(Path.of("src/main/resources", Migrations.LOCATION))) {
            files = paths.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql"))
                    .sorted((a, b) -> Integer.compare(version(a), version(b))).toList();
        }
        List<String> indexed = Migrations.available().stream()
                .map(m -> "V" + m.version() + "__" + m.name() + ".sql").toList();
        assertThat(indexed, is(files));
        assertThat(Migrations.available().getFirst().sql().contains("CREATE TABLE calls"), is(true));
    }

    @Test
    void appliesOnceAndRecordsTheVersionThenDoesNothing() {
        String url = TestDatabase.fresh("migrations");
        try (DbClient db = Database.connect(DatabaseUrl.parse(url))) {
            assertThat(Migrations.apply(db), is(Migrations.available().size()));
            assertThat("second run is a no-op", Migrations.apply(db), is(0));

            List<DbRow> rows;
            try (Stream<DbRow> stream = db.execute().query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")) {
                rows = stream.toList();
            }
            assertThat(rows.size(), is(Migrations.available().size()));
            assertThat(Sql.intValue(rows.getFirst(), "version"), is(1));
            assertThat(Sql.string(rows.getFirst(), "name"), is("calls_turns_facts_deliveries"));
            assertThat(Sql.instant(rows.getFirst(), "applied_at"), notNullValue());
            for (String table : List.of("calls", "turns", "facts", "deliveries")) {
                assertThat(table, db.execute().get("SELECT to_regclass(?)::text AS t", table)
                        .map(r -> Sql.string(r, "t")).orElse(null), is(table));
            }
        }
    }

    @Test
    void twoInstancesMigratingAtOnceDoNotRace() throws Exception {
        String url = TestDatabase.fresh("migrations_race");
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newFixedThreadPool(3)) {
            List<Future<Integer>> runs = Stream.generate(() -> threads.submit(() -> {
                try (DbClient db = Database.connect(DatabaseUrl.parse(url))) {
                    go.await();
                    return Migrations.apply(db);
                }
            })).limit(3).toList();
            go.countDown();
            int applied = 0;
            for (Future<Integer> run : runs) {
                applied += run.get(30, TimeUnit.SECONDS);
            }
            assertThat("each migration applied exactly once", applied, is(Migrations.available().size()));
        }
    }

    private static int version(String file) {
        return Integer.parseInt(file.substring(1, file.indexOf("__")));
    }
}
