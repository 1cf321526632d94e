package dev.voiceagent.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbTransaction;

/**
 * Versioned schema migrations: the SQL files {@code db/migration/V<n>__<name>.sql} on the classpath, applied in
 * version order, each once, each in its own transaction together with its row in {@code schema_migrations}.
 * <p>
 * The files are found through {@code db/migration/index.txt}, which lists them one per line: a directory inside
 * a jar cannot be listed, and probing V1, V2, ... would need the names. {@code MigrationsTest} checks that the
 * index names every file in the source tree.
 * <p>
 * Two instances starting at once against one database do not race: every migration transaction first takes a
 * transaction-scoped advisory lock, then re-checks whether the migration is still pending.
 */
public final class Migrations {

    /** Classpath folder of the migrations and their index. */
    public static final String LOCATION = "db/migration/";

    private static final Logger LOG = Logger.getLogger(Migrations.class.getName());
    private static final Pattern FILE = Pattern.compile("V([1-9][0-9]{0,8})__([A-Za-z0-9_]+)\\.sql");
    // Any constant, the same in every instance; the bytes spell "voiceagt".
    private static final long LOCK_KEY = 0x766f69636561677AL;

    /** One migration file. */
    public record Migration(int version, String name, String sql) {
    }

    private Migrations() {
    }

    /** The migrations in this build, by version. */
    public static List<Migration> available() {
        return load(Migrations.class.getClassLoader());
    }

    static List<Migration> load(ClassLoader loader) {
        List<Migration> migrations = new ArrayList<>();
        for (String line : resource(loader, "index.txt").split("\n")) {
            String file = line.strip();
            if (file.isEmpty() || file.startsWith("#")) {
                continue;
            }
            Matcher m = FILE.matcher(file);
            if (!m.matches()) {
                throw new IllegalStateException(LOCATION + "index.txt lists '" + file + "', not a V<n>__<name>.sql file");
            }
            int version = Integer.parseInt(m.group(1));
            if (!migrations.isEmpty() && migrations.getLast().version() >= version) {
                throw new IllegalStateException(LOCATION + "index.txt: " + file + " is out of version order");
            }
            migrations.add(new Migration(version, m.group(2), resource(loader, file)));
        }
        return List.copyOf(migrations);
    }

    /**
     * Applies the pending migrations. Safe to run on every start and from several instances at once.
     *
     * @return how many were applied (0 when the schema is current)
     * @throws StoreException when the database is unreachable or refuses a migration (that migration is rolled
     *                        back; the ones before it stay applied)
     */
    public static int apply(DbClient db) {
        Sql.inTransaction(db, "Could not create the schema_migrations table", tx -> {
            lock(tx);
            return tx.dml("CREATE TABLE IF NOT EXISTS schema_migrations ("
                          + "version INT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
        });
        int applied = 0;
        for (Migration migration : available()) {
            String label = "V" + migration.version() + "__" + migration.name();
            boolean ran = Sql.inTransaction(db, "Could not apply migration " + label, tx -> {
                lock(tx);
                if (tx.get("SELECT version FROM schema_migrations WHERE version = ?", migration.version()).isPresent()) {
                    return false;
                }
                tx.dml(migration.sql());
                tx.insert("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, now())",
                          migration.version(), migration.name());
                return true;
            });
            if (ran) {
                applied++;
                LOG.info(() -> "Applied migration " + label);
            }
        }
        return applied;
    }

    /** Held until the transaction ends; another instance's migration transaction waits for it. */
    private static void lock(DbTransaction tx) {
        tx.get("SELECT pg_advisory_xact_lock(?) IS NULL AS locked", LOCK_KEY);
    }

    private static String resource(ClassLoader loader, String file) {
        try (InputStream in = loader.getResourceAsStream(LOCATION + file)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + LOCATION + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + LOCATION + file, e);
        }
    }
}
