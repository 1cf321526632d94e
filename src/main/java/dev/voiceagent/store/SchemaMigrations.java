package dev.voiceagent.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import java.util.logging.Logger;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Versioned schema migrations, run by Flyway: the SQL files {@code db/migration/V<n>__<name>.sql} on the classpath,
 * applied in version order, each once, recorded with a checksum in Flyway's history table
 * {@code flyway_schema_history}. A migration file changed after it was applied is refused (Flyway's validation), so
 * a database never silently differs from what the code expects; add a new version instead.
 * <p>
 * <b>Taking over a database of the old runner.</b> Before Flyway, a hand-made runner recorded applied versions in
 * {@code schema_migrations(version, name, applied_at)}. When that table exists and Flyway's does not, the database
 * is baselined at the highest version recorded there, so those migrations are not run again and only newer ones
 * are; the old table is left in place, unused.
 * <p>
 * Several instances may migrate one database at once: Flyway serialises them with a PostgreSQL advisory lock.
 * Blocking; call at startup or from the background connector ({@link Database}).
 */
public final class SchemaMigrations {

    /** Flyway location of the migrations. */
    public static final String LOCATION = "classpath:db/migration";
    /** Flyway's history table. */
    public static final String HISTORY_TABLE = "flyway_schema_history";
    /** The old runner's table, read once to take such a database over. */
    static final String OLD_TABLE = "schema_migrations";

    private static final Logger LOG = Logger.getLogger(SchemaMigrations.class.getName());
    private static final int LOGIN_TIMEOUT_SECONDS = 5;

    private SchemaMigrations() {
    }

    /**
     * Applies the pending migrations.
     *
     * @return how many were applied (0 when the schema is current)
     * @throws StoreException when the database is unreachable, a migration fails (it is rolled back), or an applied
     *                        migration was changed since (checksum mismatch)
     */
    public static int apply(DatabaseUrl url) {
        return apply(url, LOCATION);
    }

    /** {@link #apply(DatabaseUrl)} from other Flyway locations (tests). */
    static int apply(DatabaseUrl url, String... locations) {
        try {
            FluentConfiguration config = Flyway.configure(SchemaMigrations.class.getClassLoader())
                    .dataSource(url.jdbcUrl(), url.username(), url.password())
                    .locations(locations)
                    .table(HISTORY_TABLE)
                    .cleanDisabled(true)          // never drop the schema, whatever a configuration says
                    .validateOnMigrate(true)
                    .validateMigrationNaming(true)
                    .failOnMissingLocations(true);
            Optional<Integer> oldVersion = oldRunnerVersion(url);
            if (oldVersion.isPresent()) {
                LOG.info("taking over the schema from the old migration runner at version " + oldVersion.get());
                config.baselineOnMigrate(true)
                        .baselineVersion(Integer.toString(oldVersion.get()))
                        .baselineDescription("taken over from " + OLD_TABLE);
            }
            MigrateResult result = config.load().migrate();
            if (result.migrationsExecuted > 0) {
                LOG.info("applied " + result.migrationsExecuted + " migration(s); schema at version "
                         + result.targetSchemaVersion);
            }
            return result.migrationsExecuted;
        } catch (FlywayException e) {
            throw new StoreException("Could not migrate the schema: " + oneLine(e.getMessage()), e);
        }
    }

    /**
     * The highest version the old runner applied, when its table exists and Flyway's does not yet (a database
     * Flyway already manages is left to Flyway).
     */
    static Optional<Integer> oldRunnerVersion(DatabaseUrl url) {
        Properties props = new Properties();
        props.setProperty("user", url.username());
        props.setProperty("password", url.password());
        props.setProperty("connectTimeout", Integer.toString(LOGIN_TIMEOUT_SECONDS));
        props.setProperty("loginTimeout", Integer.toString(LOGIN_TIMEOUT_SECONDS));
        try (Connection c = DriverManager.getConnection(url.jdbcUrl(), props);
             Statement s = c.createStatement();
             ResultSet tables = s.executeQuery("SELECT to_regclass('" + HISTORY_TABLE + "') IS NOT NULL AS flyway, "
                                               + "to_regclass('" + OLD_TABLE + "') IS NOT NULL AS old")) {
            tables.next();
            if (tables.getBoolean("flyway") || !tables.getBoolean("old")) {
                return Optional.empty();
            }
            try (ResultSet max = s.executeQuery("SELECT max(version) AS v FROM " + OLD_TABLE)) {
                max.next();
                int version = max.getInt("v");
                return max.wasNull() ? Optional.empty() : Optional.of(version);
            }
        } catch (SQLException e) {
            throw new StoreException("Could not read the schema version: " + e.getMessage(), e);
        }
    }

    /** Flyway's multi-line report as one log-friendly line, bounded. */
    private static String oneLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        String m = message.strip().replaceAll("\\s*\\R+\\s*", "; ");
        return m.length() <= 600 ? m : m.substring(0, 600) + " ...";
    }
}
