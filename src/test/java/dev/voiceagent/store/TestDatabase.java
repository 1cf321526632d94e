package dev.voiceagent.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL for tests: one embedded server per test JVM, started on first use (about a second when the
 * binaries are already extracted) and stopped by a JVM shutdown hook, with an empty database per caller.
 * <pre>{@code
 * String databaseUrl = TestDatabase.fresh("end_of_call");   // jdbc:postgresql://localhost:PORT/t_end_of_call_1?user=postgres
 * try (Database db = Database.open(Optional.of(databaseUrl), dataDir)) { ... }    // or DATABASE_URL for the server
 * }</pre>
 * Each {@link #fresh} database is new and empty (migrations are applied by {@link Database#open}), so test
 * classes do not see each other's rows. Nothing is dropped: the whole server goes when the JVM ends.
 * <p>
 * Files live under the build directory ({@code voiceagent.buildDir}, set by the pom; {@code target} otherwise):
 * {@code test-postgres/bin} holds the extracted binaries, shared by every test JVM and kept between builds;
 * {@code test-postgres/pg-<pid>-*} is one JVM's cluster, deleted at exit. A cluster left behind by a test JVM that was
 * killed is stopped and deleted by the next one. Durability is off (fsync, synchronous commit) for speed.
 */
public final class TestDatabase {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private TestDatabase() {
    }

    /**
     * Creates a new, empty database and returns its {@code DATABASE_URL}:
     * {@code jdbc:postgresql://localhost:PORT/<db>?user=postgres} (no password).
     *
     * @param name a hint for the database name (e.g. the test class); it is made unique and SQL-safe
     */
    public static String fresh(String name) {
        String database = databaseName(name);
        Server.INSTANCE.createDatabaseIfMissing(database);
        return Server.INSTANCE.jdbcUrl(database) + "?user=" + EmbeddedDatabase.USER;
    }

    /** {@code databaseUrl} (from {@link #fresh}) reached through another local port, e.g. a {@code TcpProxy}'s. */
    public static String throughPort(String databaseUrl, int port) {
        return databaseUrl.replace(":" + port() + "/", ":" + port + "/");
    }

    /** The port of the shared server (starting it if needed). */
    public static int port() {
        return Server.INSTANCE.port();
    }

    /** Where test clusters and the shared extracted binaries live. */
    static Path root() {
        return Path.of(System.getProperty("voiceagent.buildDir", "target")).toAbsolutePath().resolve("test-postgres");
    }

    /** The extracted server binaries shared by all test JVMs. */
    static Path binaries() {
        return root().resolve("bin");
    }

    private static String databaseName(String hint) {
        String base = hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_");
        base = base.length() > 40 ? base.substring(0, 40) : base;
        return "t_" + base + "_" + COUNTER.incrementAndGet();
    }

    /** Holder: the server starts when first needed, once, thread-safely (class initialisation). */
    private static final class Server {
        static final EmbeddedDatabase INSTANCE = start();

        private static EmbeddedDatabase start() {
            try {
                Path root = root();
                Files.createDirectories(root);
                removeLeftovers(root);
                // The owning JVM's pid is in the name, so another JVM never mistakes a cluster being set up for a leftover.
                Path dir = Files.createTempDirectory(root, "pg-" + ProcessHandle.current().pid() + "-");
                EmbeddedDatabase db = EmbeddedDatabase.start(dir.resolve("postgres"), binaries(), false);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    db.close();
                    deleteTree(dir);
                }, "test-postgres-stop"));
                return db;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Clusters of test JVMs that no longer run (killed before their shutdown hook). */
        private static void removeLeftovers(Path root) throws IOException {
            try (Stream<Path> dirs = Files.list(root)) {
                for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith("pg-")).toList()) {
                    Optional<Long> owner = owner(dir.getFileName().toString());
                    if (owner.flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive).isPresent()) {
                        continue;
                    }
                    try {
                        EmbeddedDatabase.stopOrphan(dir.resolve("postgres"));
                    } catch (IOException | RuntimeException e) {
                        // best effort: a leftover must not stop the tests
                    }
                    deleteTree(dir);
                }
            }
        }

        /** The pid in {@code pg-<pid>-<random>}. */
        private static Optional<Long> owner(String dirName) {
            String[] parts = dirName.split("-");
            try {
                return parts.length >= 3 ? Optional.of(Long.parseLong(parts[1])) : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort
        }
    }
}
