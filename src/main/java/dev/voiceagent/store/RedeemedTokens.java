package dev.voiceagent.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.helidon.dbclient.DbClient;

/**
 * Stream tokens redeemed by any instance (table {@code stream_tokens}), so a token is used once across all instances
 * sharing the database. Only a SHA-256 of each token is stored, until it expires; expired rows are purged at most once
 * a minute. Blocks on JDBC; throws {@link StoreException} while the database is unreachable or not connected yet.
 */
public final class RedeemedTokens {

    private static final Duration PURGE_EVERY = Duration.ofMinutes(1);

    private final Supplier<DbClient> db;
    private final AtomicLong nextPurgeNanos = new AtomicLong(System.nanoTime());

    public RedeemedTokens(Supplier<DbClient> db) {
        this.db = db;
    }

    /** Records {@code token} as redeemed until {@code expires}; false when some instance redeemed it before. */
    public boolean firstUse(String token, Instant expires) {
        long now = System.nanoTime();
        long due = nextPurgeNanos.get();
        if (now - due >= 0 && nextPurgeNanos.compareAndSet(due, now + PURGE_EVERY.toNanos())) {
            Sql.run("Could not purge expired stream tokens", () -> db.get().execute()
                    .delete("DELETE FROM stream_tokens WHERE expires_at < now()"));
        }
        long inserted = Sql.run("Could not record a redeemed stream token", () -> db.get().execute().insert(
                "INSERT INTO stream_tokens (token_hash, expires_at) VALUES (?, ?) ON CONFLICT (token_hash) DO NOTHING",
                sha256(token), Sql.timestamp(expires)));
        return inserted == 1;
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
