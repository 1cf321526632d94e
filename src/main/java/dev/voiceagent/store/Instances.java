package dev.voiceagent.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import io.helidon.dbclient.DbClient;

/**
 * The server instances sharing one database (table {@code instances}, {@code db/migration/V5__instances_and_call_owners.sql}),
 * seen from one of them, {@link #id()}.
 * <p>
 * An instance {@linkplain #heartbeat() heartbeats} every few seconds and {@linkplain #stopped() marks itself stopped}
 * on a clean shutdown. Any instance may {@linkplain #takeOver take over} from instances that stopped or have not
 * heartbeated for a while: their calls still {@code in_progress} are marked {@code abandoned} (end reason
 * {@code server stopped}, ended when last heard, with the turns already stored) and their extraction is queued, in
 * one statement; and the outbox rows they had claimed are released at once instead of when the lease runs out.
 * Marking is guarded by the call's status, so when several instances take over at the same moment each call is
 * abandoned, and its after-call work queued, exactly once.
 * <p>
 * "Now" is always the database's clock, so instances whose clocks differ still agree on who is dead. Every method
 * blocks on JDBC and throws {@link StoreException} while the database is unreachable or not connected yet.
 */
public final class Instances {

    private final Supplier<DbClient> db;
    private final String id;
    private final String host;

    /**
     * @param db   the client, asked on every use (e.g. {@link Database#client}, which throws until connected)
     * @param id   this instance's id, unique per process start
     * @param host where it runs, for people reading the table
     */
    public Instances(Supplier<DbClient> db, String id, String host) {
        this.db = Objects.requireNonNull(db, "db");
        this.id = Objects.requireNonNull(id, "id");
        this.host = host;
    }

    /** What one {@link #takeOver} found. */
    public record Takeover(List<String> abandonedCalls, int releasedClaims) {
        public Takeover {
            abandonedCalls = List.copyOf(abandonedCalls);
        }

        public boolean any() {
            return !abandonedCalls.isEmpty() || releasedClaims > 0;
        }
    }

    public String id() {
        return id;
    }

    /** Records that this instance is alive (registering it on the first call, or again after it was removed). */
    public void heartbeat() {
        Sql.run("Could not record this instance's heartbeat", () -> db.get().execute().insert(
                "INSERT INTO instances (id, host) VALUES (?, ?) "
                + "ON CONFLICT (id) DO UPDATE SET last_heartbeat = now(), stopped_at = NULL",
                id, host));
    }

    /** This instance stopped cleanly: the others take over what it left at once, without waiting for it to go stale. */
    public void stopped() {
        Sql.run("Could not record that this instance stopped", () -> db.get().execute().update(
                "UPDATE instances SET stopped_at = now() WHERE id = ?", id));
    }

    /**
     * Takes over from every other instance that stopped or has not heartbeated for {@code deadAfter}: abandons its
     * calls in progress and queues their extraction (failed if still undone at {@code giveUpAt}), and releases its
     * outbox claims. A call whose owner never registered counts once the call is {@code deadAfter} old. This
     * instance's own calls are never touched.
     */
    public Takeover takeOver(Duration deadAfter, Instant giveUpAt) {
        long deadAfterMs = deadAfter.toMillis();
        return Sql.run("Could not take over from stopped instances", () -> db.get().execute().get("""
                WITH dead AS (
                    SELECT id FROM instances
                    WHERE id <> ? AND (stopped_at IS NOT NULL OR last_heartbeat < now() - ? * interval '1 millisecond')
                ), orphaned AS (
                    SELECT c.call_sid, COALESCE(max(t.ended_at), c.started_at) AS last_heard
                    FROM calls c LEFT JOIN turns t ON t.call_sid = c.call_sid
                    WHERE c.status = 'in_progress' AND c.owner_instance IS NOT NULL AND c.owner_instance <> ?
                      AND (c.owner_instance IN (SELECT id FROM dead)
                           OR (NOT EXISTS (SELECT 1 FROM instances i WHERE i.id = c.owner_instance)
                               AND c.started_at < now() - ? * interval '1 millisecond'))
                    GROUP BY c.call_sid
                ), abandoned AS (
                    UPDATE calls c
                    SET status = 'abandoned', end_reason = 'server stopped', ended_at = o.last_heard,
                        duration_ms = GREATEST(0, round(EXTRACT(EPOCH FROM (o.last_heard - c.started_at)) * 1000))::bigint
                    FROM orphaned o
                    WHERE c.call_sid = o.call_sid AND c.status = 'in_progress'
                    RETURNING c.call_sid
                ), queued AS (
                    INSERT INTO deliveries (call_sid, target, give_up_at)
                    SELECT call_sid, 'extraction', ? FROM abandoned
                    ON CONFLICT (call_sid, target) DO NOTHING
                ), released AS (
                    UPDATE deliveries d
                    SET next_attempt_at = now(), claimed_by = NULL, updated_at = now()
                    WHERE d.status = 'pending' AND d.claimed_by IN (SELECT id FROM dead) AND d.next_attempt_at > now()
                    RETURNING d.id
                )
                SELECT (SELECT COALESCE(string_agg(call_sid, ',' ORDER BY call_sid), '') FROM abandoned) AS calls,
                       (SELECT count(*) FROM released) AS released
                """, id, deadAfterMs, id, deadAfterMs, Sql.timestamp(giveUpAt))
                .map(row -> {
                    String calls = Sql.string(row, "calls");
                    return new Takeover(calls == null || calls.isEmpty() ? List.of() : Arrays.asList(calls.split(",")),
                                        Sql.intValue(row, "released"));
                })
                .orElse(new Takeover(List.of(), 0)));
    }

    /** Forgets instances not heard from for {@code olderThan} that no call in progress names; returns how many. */
    public long forget(Duration olderThan) {
        return Sql.run("Could not forget long-gone instances", () -> db.get().execute().delete("""
                DELETE FROM instances i
                WHERE i.id <> ? AND i.last_heartbeat < now() - ? * interval '1 millisecond'
                  AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.status = 'in_progress' AND c.owner_instance = i.id)
                """, id, olderThan.toMillis()));
    }
}
