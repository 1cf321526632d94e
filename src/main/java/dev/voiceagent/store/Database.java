package dev.voiceagent.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.dbclient.DbClient;

/**
 * The server's database, ready to use: {@link #open} connects to {@code DATABASE_URL} when it is set and
 * otherwise starts the {@link EmbeddedDatabase} under the data directory, builds a pooled Helidon
 * {@link DbClient} and brings the schema up to date ({@link Migrations}).
 * <p>
 * The pool is small (8 connections; callers are virtual threads that simply wait for one) and fails fast: a
 * connection not obtained within 3 s, or a statement that gets no answer within 30 s, fails with an exception
 * (a {@link StoreException} from {@link CallStore}) rather than hanging a worker through an outage.
 * <p>
 * {@link #close()} closes the pool, then stops the embedded server if there is one, each step bounded.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Database.class.getName());
    static final int MAX_POOL_SIZE = 8;
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(30);
    // Hikari waits for borrowed connections and the embedded server bounds its own stop; this bounds both.
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(15);

    private final DbClient client;
    private final Optional<EmbeddedDatabase> embedded;
    private final String description;

    private Database(DbClient client, Optional<EmbeddedDatabase> embedded, String description) {
        this.client = client;
        this.embedded = embedded;
        this.description = description;
    }

    /**
     * Opens the database and applies pending migrations.
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
        String description = embedded.map(e -> "embedded PostgreSQL (" + e.dataDirectory() + ") at ")
                .orElse("PostgreSQL at ") + url.redactedJdbcUrl() + " as " + url.username();
        DbClient client = null;
        try {
            client = connect(url);
            int applied = Migrations.apply(client);
            LOG.info("Using " + description + (applied > 0 ? "; applied " + applied + " migration(s)" : ""));
            return new Database(client, embedded, description);
        } catch (RuntimeException e) {
            new Database(client, embedded, description).close();
            if (e instanceof StoreException) {
                throw e;
            }
            throw new StoreException("Could not open " + description + ": " + Sql.reason(e), e);
        }
    }

    /**
     * A pooled client for {@code url}, without migrating. The pool opens one connection at once, so an
     * unreachable database fails here.
     */
    static DbClient connect(DatabaseUrl url) {
        Map<String, String> settings = new HashMap<>();
        settings.put("source", "jdbc");
        settings.put("connection.url", url.jdbcUrl());
        settings.put("connection.username", url.username());
        settings.put("connection.password", url.password());
        // HikariConfig properties
        settings.put("connection.poolName", "voice-agent-db");
        settings.put("connection.maximumPoolSize", Integer.toString(MAX_POOL_SIZE));
        settings.put("connection.minimumIdle", "1");
        settings.put("connection.connectionTimeout", Long.toString(CONNECTION_TIMEOUT.toMillis()));
        settings.put("connection.validationTimeout", "1000");
        // pgjdbc driver properties; a parameter given in the URL itself wins over these
        settings.put("connection.dataSource.socketTimeout", Long.toString(SOCKET_TIMEOUT.toSeconds()));
        settings.put("connection.dataSource.tcpKeepAlive", "true");
        settings.put("connection.dataSource.ApplicationName", "voice-agent");
        // Only these values, and taken literally: a password may contain "${...}".
        Config config = Config.builder(ConfigSources.create(settings))
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .disableValueResolving()
                .disableKeyResolving()
                .disableFilterServices()
                .build();
        return DbClient.create(config);
    }

    /** The pooled client; statements block on JDBC, so call it from virtual threads or workers. */
    public DbClient client() {
        return client;
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
        if (client != null) {
            bounded("closing the connection pool", client::close);
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
