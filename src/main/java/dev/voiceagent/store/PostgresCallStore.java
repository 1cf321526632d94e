package dev.voiceagent.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;
import io.helidon.dbclient.DbTransaction;

/**
 * {@link CallStore} on PostgreSQL (schema {@code db/migration/V1__calls_turns_facts_deliveries.sql}) through a
 * Helidon {@link DbClient}.
 * <p>
 * Inserts are {@code ON CONFLICT DO NOTHING}, so a retried write never duplicates a row. The outbox is claimed
 * with {@code FOR UPDATE SKIP LOCKED}: concurrent claimers never get the same row, and a claim is a lease that
 * moves {@code next_attempt_at} forward, so a row whose worker died becomes due again when the lease ends.
 * Outcomes ({@link #delivered}, {@link #retryAt}, {@link #failed}) only change a row still {@code pending}, so a
 * late outcome from a worker whose lease ran out cannot undo another worker's result. "Now" is always the
 * database's clock. Every failure is a {@link StoreException} naming what could not be done.
 * <p>
 * Several instances may share one database: a store made for an instance ({@link #PostgresCallStore(DbClient,
 * String)}) records that instance as the owner of the calls it opens and as the holder of the outbox rows it claims,
 * so {@link Instances} can recover both when the instance stops heartbeating.
 */
public final class PostgresCallStore implements CallStore {

    /** Longest {@code last_error} kept; errors can quote whole HTTP bodies. */
    static final int MAX_ERROR_LENGTH = 500;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {
    };
    private static final List<String> TARGETS = List.of(EXTRACTION, GOHIGHLEVEL, WEBHOOK);
    private static final String CALL_COLUMNS = "call_sid, stream_sid, from_number, to_number, persona_id, "
            + "started_at, ended_at, duration_ms, end_reason, status, summary, session_outcome, channel";
    private static final String QUEUE = "INSERT INTO deliveries (call_sid, target, give_up_at) VALUES (?, ?, ?) "
            + "ON CONFLICT (call_sid, target) DO NOTHING";

    private final DbClient db;
    /** The instance whose calls and claims these are; null for a store that only reads (tools, tests). */
    private final String instanceId;

    /** A store that records no owning instance: calls it opens are recovered by their age alone. */
    public PostgresCallStore(DbClient db) {
        this.db = Objects.requireNonNull(db, "db");
        this.instanceId = null;
    }

    /** A store for the running instance {@code instanceId} (see {@link Instances}). */
    public PostgresCallStore(DbClient db, String instanceId) {
        this.db = Objects.requireNonNull(db, "db");
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
    }

    // ---- during the call ---------------------------------------------------------------------------------

    @Override
    public void open(CallOpened call) {
        Sql.run("Could not store the start of call " + call.callSid(), () -> db.execute().insert(
                "INSERT INTO calls (call_sid, stream_sid, from_number, to_number, persona_id, started_at, status, channel, "
                + "owner_instance) VALUES (?, ?, ?, ?, ?, ?, 'in_progress', ?, ?) ON CONFLICT (call_sid) DO NOTHING",
                call.callSid(), call.streamSid(), call.from(), call.to(), call.personaId(),
                Sql.timestamp(call.startedAt()), call.channel().sql(), instanceId));
    }

    @Override
    public void addTurn(TurnRecord turn) {
        Sql.run("Could not store turn " + turn.seq() + " of call " + turn.callSid(), () -> db.execute().insert(
                "INSERT INTO turns (call_sid, seq, role, text, started_at, ended_at, interrupted, timings) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb) ON CONFLICT (call_sid, seq) DO NOTHING",
                turn.callSid(), turn.seq(), turn.role().sql(), clean(turn.text()), Sql.timestamp(turn.startedAt()),
                Sql.timestamp(turn.endedAt()), turn.interrupted(),
                turn.timingsMs().isEmpty() ? null : json(turn.timingsMs())));
    }

    @Override
    public void addToolCall(ToolCallRecord call) {
        Sql.run("Could not store tool call " + call.seq() + " of call " + call.callSid(), () -> db.execute().insert(
                "INSERT INTO tool_calls (call_sid, seq, after_turn, tool, arguments, outcome, failure, result, "
                + "started_at, duration_ms) VALUES (?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (call_sid, seq) DO NOTHING",
                call.callSid(), call.seq(), call.afterTurn(), clean(call.tool()), jsonText(call.arguments()),
                call.outcome(), call.failure().orElse(null), clean(call.result()), Sql.timestamp(call.startedAt()),
                call.durationMs()));
    }

    /** Valid JSON as it is; anything else (malformed arguments) as a JSON string holding it. */
    private static String jsonText(String maybeJson) {
        String cleaned = clean(maybeJson);
        try {
            JSON.readTree(cleaned);
            return cleaned.isBlank() ? "{}" : cleaned;
        } catch (JsonProcessingException e) {
            return json(cleaned);
        }
    }

    @Override
    public void sessionOutcome(String callSid, String outcome) {
        Sql.run("Could not store the session outcome of call " + callSid, () -> db.execute().update(
                "UPDATE calls SET session_outcome = ? WHERE call_sid = ?", clean(outcome), callSid));
    }

    @Override
    public void close(CallClosed call, Instant giveUpAt) {
        Sql.inTransaction(db, "Could not store the end of call " + call.callSid(), tx -> {
            tx.update("UPDATE calls SET status = 'completed', ended_at = ?, duration_ms = ?, end_reason = ? "
                      + "WHERE call_sid = ? AND status = 'in_progress'",
                      Sql.timestamp(call.endedAt()), call.durationMs(), call.endReason(), call.callSid());
            return tx.insert(QUEUE, call.callSid(), EXTRACTION, Sql.timestamp(giveUpAt));
        });
    }

    @Override
    public int abandonStale(Instant startedBefore, Instant giveUpAt) {
        // One statement, so marking and queueing happen together; the call ends when it was last heard.
        return Sql.run("Could not mark calls cut off by a crash as abandoned", () -> db.execute().get("""
                WITH stale AS (
                    SELECT c.call_sid, COALESCE(max(t.ended_at), c.started_at) AS last_heard
                    FROM calls c LEFT JOIN turns t ON t.call_sid = c.call_sid
                    WHERE c.status = 'in_progress' AND c.started_at < ?
                    GROUP BY c.call_sid
                ), abandoned AS (
                    UPDATE calls c
                    SET status = 'abandoned', end_reason = 'server stopped', ended_at = s.last_heard,
                        duration_ms = GREATEST(0, round(EXTRACT(EPOCH FROM (s.last_heard - c.started_at)) * 1000))::bigint
                    FROM stale s
                    WHERE c.call_sid = s.call_sid AND c.status = 'in_progress'
                    RETURNING c.call_sid
                ), queued AS (
                    INSERT INTO deliveries (call_sid, target, give_up_at)
                    SELECT call_sid, 'extraction', ? FROM abandoned
                    ON CONFLICT (call_sid, target) DO NOTHING
                )
                SELECT count(*) AS found FROM abandoned
                """, Sql.timestamp(startedBefore), Sql.timestamp(giveUpAt))
                .map(row -> Sql.intValue(row, "found"))
                .orElse(0));
    }

    // ---- returning callers and the call API ---------------------------------------------------------------

    @Override
    public List<PastCall> recentCalls(String fromNumber, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return Sql.run("Could not read the earlier calls of a caller", () -> {
            try (Stream<DbRow> rows = db.execute().query("""
                    SELECT c.call_sid, c.started_at, c.summary,
                           COALESCE((SELECT jsonb_object_agg(f.name, f.value) FROM facts f
                                     WHERE f.call_sid = c.call_sid), '{}'::jsonb)::text AS facts
                    FROM calls c
                    WHERE c.from_number = ? AND c.summary IS NOT NULL AND btrim(c.summary) <> ''
                    ORDER BY c.started_at DESC, c.call_sid DESC
                    LIMIT ?
                    """, fromNumber, limit)) {
                return rows.map(row -> new PastCall(Sql.string(row, "call_sid"), Sql.instant(row, "started_at"),
                                                    Sql.string(row, "summary"), strings(Sql.string(row, "facts"))))
                        .toList();
            }
        });
    }

    @Override
    public CallPage calls(Optional<String> phone, int limit, int offset) {
        if (limit < 0 || offset < 0) {
            throw new IllegalArgumentException("limit and offset must not be negative");
        }
        String where = phone.isPresent() ? " WHERE from_number = ? OR to_number = ?" : "";
        List<Object> filter = phone.<List<Object>>map(p -> List.of(p, p)).orElse(List.of());
        return Sql.run("Could not list calls", () -> {
            long total = db.execute().createGet("SELECT count(*) AS total FROM calls" + where)
                    .params(filter).execute()
                    .map(row -> Sql.longValue(row, "total"))
                    .orElse(0L);
            List<Object> params = new ArrayList<>(filter);
            params.add(limit);
            params.add(offset);
            try (Stream<DbRow> rows = db.execute()
                    .createQuery("SELECT " + CALL_COLUMNS + " FROM calls" + where
                                 + " ORDER BY started_at DESC, call_sid DESC LIMIT ? OFFSET ?")
                    .params(params).execute()) {
                return new CallPage(rows.map(PostgresCallStore::storedCall).toList(), total);
            }
        });
    }

    @Override
    public Optional<CallDetail> call(String callSid) {
        return Sql.run("Could not read call " + callSid, () -> {
            Optional<StoredCall> call = db.execute()
                    .get("SELECT " + CALL_COLUMNS + " FROM calls WHERE call_sid = ?", callSid)
                    .map(PostgresCallStore::storedCall);
            if (call.isEmpty()) {
                return Optional.empty();
            }
            List<TurnRecord> turns;
            try (Stream<DbRow> rows = db.execute().query(
                    "SELECT call_sid, seq, role, text, started_at, ended_at, interrupted, timings::text AS timings "
                    + "FROM turns WHERE call_sid = ? ORDER BY seq", callSid)) {
                turns = rows.map(PostgresCallStore::turn).toList();
            }
            Map<String, String> facts = new LinkedHashMap<>();
            try (Stream<DbRow> rows = db.execute().query(
                    "SELECT name, value FROM facts WHERE call_sid = ? ORDER BY name", callSid)) {
                rows.forEach(row -> facts.put(Sql.string(row, "name"), Sql.string(row, "value")));
            }
            List<DeliveryStatus> deliveries;
            try (Stream<DbRow> rows = db.execute().query(
                    "SELECT target, status, attempts, last_error, next_attempt_at, updated_at "
                    + "FROM deliveries WHERE call_sid = ? ORDER BY id", callSid)) {
                deliveries = rows.map(row -> new DeliveryStatus(
                        Sql.string(row, "target"), Sql.string(row, "status"), Sql.intValue(row, "attempts"),
                        Sql.optionalString(row, "last_error"), Sql.instant(row, "next_attempt_at"),
                        Sql.instant(row, "updated_at"))).toList();
            }
            List<ToolCallRecord> toolCalls;
            try (Stream<DbRow> rows = db.execute().query(
                    "SELECT call_sid, seq, after_turn, tool, arguments::text AS arguments, outcome, failure, result, "
                    + "started_at, duration_ms FROM tool_calls WHERE call_sid = ? ORDER BY seq", callSid)) {
                toolCalls = rows.map(row -> new ToolCallRecord(
                        Sql.string(row, "call_sid"), Sql.intValue(row, "seq"), Sql.intValue(row, "after_turn"),
                        Sql.string(row, "tool"), Sql.string(row, "arguments"), Sql.string(row, "outcome"),
                        Sql.optionalString(row, "failure"), Sql.string(row, "result"), Sql.instant(row, "started_at"),
                        Sql.longValue(row, "duration_ms"))).toList();
            }
            return Optional.of(new CallDetail(call.get(), turns, facts, deliveries, toolCalls));
        });
    }

    // ---- the after-call outbox ----------------------------------------------------------------------------

    @Override
    public List<Delivery> claimDue(int max, Duration lease) {
        if (max <= 0) {
            return List.of();
        }
        return Sql.run("Could not claim due deliveries", () -> {
            try (Stream<DbRow> rows = db.execute().query("""
                    WITH due AS (
                        SELECT id FROM deliveries
                        WHERE status = 'pending' AND next_attempt_at <= now()
                        ORDER BY next_attempt_at, id
                        LIMIT ?
                        FOR UPDATE SKIP LOCKED
                    ), claimed AS (
                        UPDATE deliveries d
                        SET next_attempt_at = now() + ? * interval '1 millisecond', updated_at = now(), claimed_by = ?
                        FROM due WHERE d.id = due.id
                        RETURNING d.id, d.call_sid, d.target, d.attempts, d.give_up_at, d.progress::text AS progress
                    )
                    SELECT * FROM claimed ORDER BY id
                    """, max, lease.toMillis(), instanceId)) {
                return rows.map(row -> new Delivery(Sql.longValue(row, "id"), Sql.string(row, "call_sid"),
                                                    Sql.string(row, "target"), Sql.intValue(row, "attempts"),
                                                    Sql.instant(row, "give_up_at"),
                                                    strings(Sql.string(row, "progress"))))
                        .toList();
            }
        });
    }

    @Override
    public void saveProgress(long deliveryId, Map<String, String> progress) {
        if (progress.isEmpty()) {
            return;
        }
        Map<String, String> cleaned = new LinkedHashMap<>();
        progress.forEach((k, v) -> cleaned.put(clean(k), clean(v)));
        Sql.run("Could not save the progress of delivery " + deliveryId, () -> db.execute().update(
                "UPDATE deliveries SET progress = progress || ?::jsonb, updated_at = now() WHERE id = ?",
                json(cleaned), deliveryId));
    }

    @Override
    public void delivered(long deliveryId) {
        Sql.run("Could not mark delivery " + deliveryId + " delivered", () -> db.execute().update(
                "UPDATE deliveries SET status = 'delivered', updated_at = now() WHERE id = ? AND status = 'pending'",
                deliveryId));
    }

    @Override
    public void retryAt(long deliveryId, Instant next, String error) {
        Sql.run("Could not schedule a retry of delivery " + deliveryId, () -> db.execute().update(
                // No longer under anyone's claim: a retry waiting out a vendor's Retry-After is never released early.
                "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, updated_at = now(), "
                + "claimed_by = NULL WHERE id = ? AND status = 'pending'",
                Sql.timestamp(next), truncate(error), deliveryId));
    }

    @Override
    public void failed(long deliveryId, String error) {
        Sql.run("Could not mark delivery " + deliveryId + " failed", () -> db.execute().update(
                markFailed(), truncate(error), deliveryId));
    }

    @Override
    public void extracted(long deliveryId, String callSid, String summary, Map<String, String> facts,
                          List<String> then, Instant giveUpAt) {
        Map<String, String> cleaned = new LinkedHashMap<>();
        facts.forEach((name, value) -> {
            if (name != null && value != null) {
                cleaned.put(clean(name), clean(value));
            }
        });
        Sql.inTransaction(db, "Could not store what was extracted from call " + callSid, tx -> {
            tx.update("UPDATE calls SET summary = ? WHERE call_sid = ?", clean(summary), callSid);
            if (!cleaned.isEmpty()) {
                tx.insert("INSERT INTO facts (call_sid, name, value) SELECT ?, key, value FROM jsonb_each_text(?::jsonb) "
                          + "ON CONFLICT (call_sid, name) DO UPDATE SET value = EXCLUDED.value",
                          callSid, json(cleaned));
            }
            tx.update("UPDATE deliveries SET status = 'delivered', updated_at = now() WHERE id = ? AND status = 'pending'",
                      deliveryId);
            queue(tx, callSid, then, giveUpAt);
            return null;
        });
    }

    @Override
    public void extractionFailed(long deliveryId, String error, List<String> then, Instant giveUpAt) {
        Sql.inTransaction(db, "Could not mark extraction " + deliveryId + " failed", tx -> {
            tx.update(markFailed(), truncate(error), deliveryId);
            for (String target : then) {
                tx.insert("INSERT INTO deliveries (call_sid, target, give_up_at) "
                          + "SELECT call_sid, ?, ? FROM deliveries WHERE id = ? "
                          + "ON CONFLICT (call_sid, target) DO NOTHING",
                          target, Sql.timestamp(giveUpAt), deliveryId);
            }
            return null;
        });
    }

    @Override
    public Map<String, Long> backlog() {
        return Sql.run("Could not count pending deliveries", () -> {
            Map<String, Long> backlog = new LinkedHashMap<>();
            TARGETS.forEach(target -> backlog.put(target, 0L));
            try (Stream<DbRow> rows = db.execute().query(
                    "SELECT target, count(*) AS pending FROM deliveries WHERE status = 'pending' GROUP BY target")) {
                rows.forEach(row -> backlog.put(Sql.string(row, "target"), Sql.longValue(row, "pending")));
            }
            return Collections.unmodifiableMap(backlog);
        });
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static String markFailed() {
        return "UPDATE deliveries SET status = 'failed', attempts = attempts + 1, last_error = ?, updated_at = now() "
               + "WHERE id = ? AND status = 'pending'";
    }

    private static void queue(DbTransaction tx, String callSid, List<String> targets, Instant giveUpAt) {
        for (String target : targets) {
            tx.insert(QUEUE, callSid, target, Sql.timestamp(giveUpAt));
        }
    }

    private static StoredCall storedCall(DbRow row) {
        return new StoredCall(Sql.string(row, "call_sid"), Sql.string(row, "stream_sid"),
                              Sql.string(row, "from_number"), Sql.string(row, "to_number"),
                              Sql.string(row, "persona_id"), Sql.instant(row, "started_at"),
                              Sql.optionalInstant(row, "ended_at"), Sql.optionalLong(row, "duration_ms"),
                              Sql.optionalString(row, "end_reason"), Sql.string(row, "status"),
                              Sql.optionalString(row, "summary"), Sql.optionalString(row, "session_outcome"),
                              Channel.parse(Sql.string(row, "channel")).orElse(Channel.PHONE));
    }

    private static TurnRecord turn(DbRow row) {
        Map<String, Long> timings = new LinkedHashMap<>();
        String json = Sql.string(row, "timings");
        if (json != null) {
            readObject(json).forEach((stage, ms) -> {
                if (ms instanceof Number n) {
                    timings.put(stage, n.longValue());
                }
            });
        }
        return new TurnRecord(Sql.string(row, "call_sid"), Sql.intValue(row, "seq"),
                              TurnRecord.Role.valueOf(Sql.string(row, "role").toUpperCase(Locale.ROOT)),
                              Sql.string(row, "text"), Sql.instant(row, "started_at"), Sql.instant(row, "ended_at"),
                              Sql.bool(row, "interrupted"), timings);
    }

    /** A JSON object of strings (progress, facts); a non-string value is kept as its JSON text. */
    private static Map<String, String> strings(String json) {
        Map<String, String> values = new LinkedHashMap<>();
        if (json != null) {
            readObject(json).forEach((k, v) -> {
                if (v != null) {
                    values.put(k, v instanceof String s ? s : json(v));
                }
            });
        }
        return values;
    }

    private static Map<String, Object> readObject(String json) {
        try {
            return JSON.readValue(json, JSON_OBJECT);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is not an object", e);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write as JSON: " + value.getClass(), e);
        }
    }

    /** PostgreSQL text (and jsonb) cannot hold NUL characters; they never carry meaning here. */
    private static String clean(String s) {
        return s == null || s.indexOf('\0') < 0 ? s : s.replace("\0", "");
    }

    static String truncate(String error) {
        String s = clean(error);
        if (s == null || s.length() <= MAX_ERROR_LENGTH) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(MAX_ERROR_LENGTH - 1)) ? MAX_ERROR_LENGTH - 1 : MAX_ERROR_LENGTH;
        return s.substring(0, end) + "…";
    }
}
