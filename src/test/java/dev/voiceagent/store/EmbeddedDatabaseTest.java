package dev.voiceagent.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedDatabaseTest {

    @TempDir
    Path dataDir;

    @Test
    void dataSurvivesARestart() throws Exception {
        shareBinaries(dataDir);
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dataDir)) {
            assertThat(db.dataDirectory(), is(dataDir.toAbsolutePath().resolve("postgres")));
            execute(db, "CREATE TABLE kept (v TEXT)", "INSERT INTO kept VALUES ('survives restart')");
            assertThat("the server's own cluster is durable", query(db, "SHOW fsync"), is(List.of("on")));
        }
        assertFalse(Files.exists(dataDir.resolve("postgres/postmaster.pid")), "a clean stop removes the pid file");

        try (EmbeddedDatabase db = EmbeddedDatabase.start(dataDir)) {
            assertThat(query(db, "SELECT v FROM kept"), is(List.of("survives restart")));
        }
    }

    @Test
    void aStalePidFileNamingAnUnrelatedLiveProcessDoesNotBlockTheStart() throws Exception {
        shareBinaries(dataDir);
        EmbeddedDatabase.start(dataDir).close();
        // After a container restart the pid in the file may belong to anything alive; here, this JVM.
        Files.writeString(dataDir.resolve("postgres/postmaster.pid"),
                          ProcessHandle.current().pid() + "\n" + dataDir.resolve("postgres") + "\n");

        try (EmbeddedDatabase db = EmbeddedDatabase.start(dataDir)) {
            assertThat(query(db, "SELECT 'up'"), is(List.of("up")));
        }
    }

    @Test
    void aSecondStartOnAClusterInUseFailsWithoutHarmingTheFirst() throws Exception {
        shareBinaries(dataDir);
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dataDir)) {
            StoreException e = assertThrows(StoreException.class, () -> EmbeddedDatabase.start(dataDir));
            assertThat(e.getMessage(), containsString("already open in this process"));
            assertThat(query(db, "SELECT 'still up'"), is(List.of("still up")));
        }
    }

    @Test
    void aPostmasterOrphanedByAKilledServerIsStoppedAndTheDataIsKept() throws Exception {
        shareBinaries(dataDir);
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                           "-cp", System.getProperty("java.class.path"),
                                           ServerThatGetsKilled.class.getName(), dataDir.toString())
                .redirectErrorStream(true)
                .start();
        List<String> output = new ArrayList<>();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null && !line.equals(ServerThatGetsKilled.READY)) {
                output.add(line);
            }
            assertThat("child output: " + String.join("\n", output), line, is(ServerThatGetsKilled.READY));
        } finally {
            child.destroyForcibly(); // SIGKILL, as kill -9: no shutdown hook, no clean stop
            child.waitFor(10, TimeUnit.SECONDS);
        }
        long orphan = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).getFirst().strip());
        assertTrue(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false),
                   "the postmaster outlives the killed server");

        try (EmbeddedDatabase db = EmbeddedDatabase.start(dataDir)) {
            assertThat(query(db, "SELECT v FROM kept"), is(List.of("written before kill -9")));
            assertFalse(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false), "the orphan is stopped");
        }
    }

    /** Run in a child JVM: starts the embedded database, writes a row, says READY and waits to be killed. */
    public static final class ServerThatGetsKilled {
        static final String READY = "READY";

        public static void main(String[] args) throws Exception {
            EmbeddedDatabase db = EmbeddedDatabase.start(Path.of(args[0]));
            execute(db, "CREATE TABLE kept (v TEXT)", "INSERT INTO kept VALUES ('written before kill -9')");
            System.out.println(READY);
            System.out.flush();
            Thread.sleep(TimeUnit.MINUTES.toMillis(5));
        }
    }

    /** Points {@code <dataDir>/.pg-bin} at the binaries the test JVMs share, so nothing is extracted again. */
    private static void shareBinaries(Path dataDir) throws IOException {
        Files.createDirectories(TestDatabase.binaries());
        Files.createSymbolicLink(dataDir.resolve(".pg-bin"), TestDatabase.binaries());
    }

    private static void execute(EmbeddedDatabase db, String... statements) throws SQLException {
        try (Connection c = connect(db); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private static List<String> query(EmbeddedDatabase db, String sql) throws SQLException {
        try (Connection c = connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            return values;
        }
    }

    private static Connection connect(EmbeddedDatabase db) throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(EmbeddedDatabase.DATABASE), EmbeddedDatabase.USER, "");
    }
}
