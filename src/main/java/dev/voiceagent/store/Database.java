package dev.voiceagent.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.jdbc.JdbcClientBuilder;

/**
 * The server's database, ready to use: {@link #open} connects to {@code DATABASE_URL} when it is set and
 * otherwise starts the {@link EmbeddedDatabase} under the data directory, brings the schema up to date
 * ({@link SchemaMigrations}, Flyway) and builds a pooled Helidon {@link DbClient}.
 * <p>
 * <b>Starting while the database is down.</b> {@link #openOrRetry} is what the server uses: when a
 * {@code DATABASE_URL} database cannot be <em>reached</em> at startup (refused, timed out, unknown host, the
 * server still starting up), it returns at once, not {@linkplain #connected() connected}, and one background thread
 * keeps trying with a growing delay (doubling from {@code firstRetry} to at most {@code maxRetry}); once the
 * database answers, the migrations run and the pool is built. Meanwhile calls are answered and their records wait in
 * the {@link CallJournal} ({@link DeferredCallStore} reports the store as unavailable). Misconfiguration is not a
 * blip and still stops startup: a malformed URL ({@link IllegalArgumentException}), wrong credentials (SQLState
 * class 28), a database that does not exist (3D000), a migration that fails or was changed since it was applied,
 * and any failure of the embedded server.
 * <p>
 * The pool is small (8 connections; callers are virtual threads that simply wait for one) and fails fast: a
 * connection not obtained within 3 s, or a statement that gets no answer within 30 s, fails with an exception
 * (a {@link StoreException} from {@link CallStore}) rather than hanging a worker through an outage.
 * <p>
 * {@link #close()} stops the background connector, closes the pool, then stops the embedded server if there is one,
 * each step bounded.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Database.class.getName());
    static final int MAX_POOL_SIZE = 8;
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(30);
    // Hikari waits for borrowed connections and the embedded server bounds its own stop; this bounds both.
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(15);

    private final AtomicReference<DbClient> client = new AtomicReference<>();
    private final Optional<EmbeddedDatabase> embedded;
    private final String description;
    private final CountDownLatch connectedSignal = new CountDownLatch(1);
    private volatile Thread connector;
    private volatile String problem = "";
    private volatile boolean closed;

    private Database(DbClient client, Optional<EmbeddedDatabase> embedded, String description) {
        this.client.set(client);
        this.embedded = embedded;
        this.description = description;
        if (client != null) {
            connectedSignal.countDown();
        }
    }

    /**
     * Opens the database and applies pending migrations, or fails.
     *
     * @param databaseUrl {@code DATABASE_URL} (see {@link DatabaseUrl}); empty to run the embedded server
     * @param dataDir     where the embedded server keeps its files ({@code <dataDir>/postgres}); unused with a
     *                    {@code DATABASE_URL}
     * @throws IllegalArgumentException when {@code databaseUrl} cannot be parsed
     * @throws StoreException           when the database cannot be reached or migrated (within a few seconds)
     */
    public static Database open(Optional<String> databaseUrl, Path dataDir) {
        DatabaseUrl url = databaseUrl.map(DatabaseUrl::parse).orElse(null);
        Optional<EmbeddedDatabase> embedded = Optional.empty();
        if (url == null) {
            EmbeddedDatabase started = EmbeddedDatabase.start(dataDir);
            embedded = Optional.of(started);
            url = started.databaseUrl();
        }
        String description = describe(url, embedded);
        DbClient client = null;
        try {
            int applied = SchemaMigrations.apply(url);
            client = connect(url);
            LOG.info("Using " + description + (applied > 0 ? "; applied " + applied + " migration(s)" : ""));
            return new Database(client, embedded, description);
        } catch (RuntimeException e) {
            new Database(client, embedded, description).close();
            String reason = e instanceof StoreException ? e.getMessage() : Sql.reason(e);
            throw new StoreException("Could not open " + description + ": " + reason, e);
        }
    }

    /**
     * Like {@link #open}, but a {@code DATABASE_URL} database that cannot be reached does not stop startup: the
     * returned database is not {@linkplain #connected() connected} yet and a background thread connects (and
     * migrates) when it can, retrying after {@code firstRetry}, doubling up to {@code maxRetry}.
     *
     * @throws IllegalArgumentException when {@code databaseUrl} cannot be parsed
     * @throws StoreException           on misconfiguration: wrong credentials, no such database, a migration
     *                                  refused or changed, the embedded server failing
     */
    public static Database openOrRetry(Optional<String> databaseUrl, Path dataDir, Duration firstRetry,
                                       Duration maxRetry) {
        if (databaseUrl.isEmpty()) {
            return open(databaseUrl, dataDir);
        }
        DatabaseUrl url = DatabaseUrl.parse(databaseUrl.get());
        try {
            return open(databaseUrl, dataDir);
        } catch (StoreException e) {
            if (!unreachable(e)) {
                throw e;
            }
            Database pending = new Database(null, Optional.empty(), describe(url, Optional.empty()));
            pending.problem = e.getMessage();
            LOG.warning("database unreachable at startup; answering calls with storage degraded and connecting "
                        + "in the background: " + e.getMessage());
            pending.connector = Thread.ofVirtual().name("database-connector")
                    .start(() -> pending.connectLoop(url, firstRetry, maxRetry));
            return pending;
        }
    }

    private void connectLoop(DatabaseUrl url, Duration firstRetry, Duration maxRetry) {
        Duration delay = firstRetry;
        while (!closed) {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            DbClient connected = null;
            try {
                int applied = SchemaMigrations.apply(url);
                connected = connect(url);
                synchronized (this) {
                    if (closed) {
                        bounded("closing the connection pool", connected::close);
                        return;
                    }
                    client.set(connected);
                }
                problem = "";
                connectedSignal.countDown();
                LOG.info("database reachable: using " + description
                         + (applied > 0 ? "; applied " + applied + " migration(s)" : ""));
                return;
            } catch (RuntimeException e) {
                if (connected != null) {
                    bounded("closing the connection pool", connected::close);
                }
                String reason = e instanceof StoreException ? e.getMessage() : Sql.reason(e);
                if (!reason.equals(problem)) {
                    LOG.log(unreachable(e) ? Level.WARNING : Level.SEVERE, "database still unavailable ("
                            + (unreachable(e) ? "unreachable" : "refused: check DATABASE_URL and the migrations")
                            + "); retrying every " + delay.toSeconds() + " s at most " + maxRetry.toSeconds()
                            + " s: " + reason);
                }
                problem = reason;
                delay = delay.multipliedBy(2).compareTo(maxRetry) > 0 ? maxRetry : delay.multipliedBy(2);
            }
        }
    }

    /**
     * Whether {@code e} says the database could not be reached (worth waiting for) rather than refused us:
     * SQLState class 08 (connection exception), 57P03 (cannot connect now: starting up), 53300 (too many
     * connections), or a network error with no SQLState.
     */
    static boolean unreachable(Throwable e) {
        boolean network = false;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.equals("57P03") || state.equals("53300")) {
                    return true;
                }
                if (state.startsWith("28") || state.equals("3D000")) {
                    return false;
                }
            }
            if (t instanceof java.io.IOException) {
                network = true;
            }
        }
        return network;
    }

    private static String describe(DatabaseUrl url, Optional<EmbeddedDatabase> embedded) {
        return embedded.map(e -> "embedded PostgreSQL (" + e.dataDirectory() + ") at ")
                .orElse("PostgreSQL at ") + url.redactedJdbcUrl() + " as " + url.username();
    }

    /**
     * A pooled client for {@code url}, without migrating. The pool opens one connection at once, so an
     * unreachable database fails here.
     */
    static DbClient connect(DatabaseUrl url) {
        HikariPool pool = new HikariPool(url, MAX_POOL_SIZE, CONNECTION_TIMEOUT, SOCKET_TIMEOUT);
        try {
            return JdbcClientBuilder.create().connectionPool(pool).build();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * The pooled client; statements block on JDBC, so call it from virtual threads or workers.
     *
     * @throws StoreException while the database is not {@linkplain #connected() connected} yet
     */
    public DbClient client() {
        DbClient c = client.get();
        if (c == null) {
            throw new StoreException("database not connected yet: " + problem, null);
        }
        return c;
    }

    /** Whether the schema is migrated and the pool built; false only while {@link #openOrRetry} is still trying. */
    public boolean connected() {
        return client.get() != null;
    }

    /** Waits up to {@code timeout} to be {@linkplain #connected() connected}; returns whether it is. */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        return connectedSignal.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Why the database is not connected yet (empty when it is); never contains the password. */
    public String problem() {
        return problem;
    }

    /** Which database this is, e.g. for logs and health; never contains the password. */
    public String description() {
        return description;
    }

    /** Whether this is the embedded server (no DATABASE_URL): health says so without naming hosts or users. */
    public boolean embedded() {
        return embedded.isPresent();
    }

    /** Closes the pool, then stops the embedded server (if any); each step is bounded to a few seconds. */
    @Override
    public void close() {
        DbClient c;
        synchronized (this) {
            closed = true;
            c = client.get();
        }
        Thread background = connector;
        if (background != null) {
            background.interrupt();
        }
        if (c != null) {
            bounded("closing the connection pool", c::close);
        }
        embedded.ifPresent(e -> bounded("stopping the embedded PostgreSQL", e::close));
    }

    @Override
    public String toString() {
        return "Database[" + description + "]";
    }

    private static void bounded(String what, Runnable step) {
        CompletableFuture<Void> done = CompletableFuture.runAsync(
                step, runnable -> Thread.ofPlatform().daemon().name("database-close").start(runnable));
        try {
            done.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warning("Gave up " + what + " after " + CLOSE_WAIT.toSeconds() + " s");
        } catch (ExecutionException e) {
            LOG.log(Level.WARNING, "Failed " + what, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
