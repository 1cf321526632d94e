package dev.voiceagent.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@link PostgresCallStore} of a {@link Database} that may not be connected yet ({@link Database#openOrRetry}):
 * until it is, every method throws {@link StoreException} ("not connected yet"), which every user already treats as
 * "database down" (the {@link CallJournal} keeps records and retries, the after-call worker pauses, the call API
 * answers 503, caller history is skipped). Once connected, every call goes straight to the real store. Thread-safe;
 * never blocks beyond what the real store does.
 */
public final class DeferredCallStore implements CallStore {

    private final Database database;
    private final Optional<String> instanceId;
    private final AtomicReference<CallStore> store = new AtomicReference<>();

    /** A store that records no owning instance (see {@link PostgresCallStore#PostgresCallStore(io.helidon.dbclient.DbClient)}). */
    public DeferredCallStore(Database database) {
        this.database = database;
        this.instanceId = Optional.empty();
    }

    /** The store of the running instance {@code instanceId}: it owns the calls it opens and the rows it claims. */
    public DeferredCallStore(Database database, String instanceId) {
        this.database = database;
        this.instanceId = Optional.of(instanceId);
    }

    private CallStore store() {
        CallStore s = store.get();
        if (s != null) {
            return s;
        }
        // database.client() throws while not connected
        PostgresCallStore created = instanceId.map(id -> new PostgresCallStore(database.client(), id))
                .orElseGet(() -> new PostgresCallStore(database.client()));
        return store.compareAndSet(null, created) ? created : store.get();
    }

    @Override
    public void open(CallOpened call) {
        store().open(call);
    }

    @Override
    public void addTurn(TurnRecord turn) {
        store().addTurn(turn);
    }

    @Override
    public void addToolCall(ToolCallRecord call) {
        store().addToolCall(call);
    }

    @Override
    public void sessionOutcome(String callSid, String outcome) {
        store().sessionOutcome(callSid, outcome);
    }

    @Override
    public void close(CallClosed call, Instant giveUpAt) {
        store().close(call, giveUpAt);
    }

    @Override
    public int abandonStale(Instant startedBefore, Instant giveUpAt) {
        return store().abandonStale(startedBefore, giveUpAt);
    }

    @Override
    public List<PastCall> recentCalls(String fromNumber, int limit) {
        return store().recentCalls(fromNumber, limit);
    }

    @Override
    public CallPage calls(Optional<String> phone, int limit, int offset) {
        return store().calls(phone, limit, offset);
    }

    @Override
    public Optional<CallDetail> call(String callSid) {
        return store().call(callSid);
    }

    @Override
    public List<Delivery> claimDue(int max, Duration lease) {
        return store().claimDue(max, lease);
    }

    @Override
    public void saveProgress(long deliveryId, Map<String, String> progress) {
        store().saveProgress(deliveryId, progress);
    }

    @Override
    public void delivered(long deliveryId) {
        store().delivered(deliveryId);
    }

    @Override
    public void retryAt(long deliveryId, Instant next, String error) {
        store().retryAt(deliveryId, next, error);
    }

    @Override
    public void failed(long deliveryId, String error) {
        store().failed(deliveryId, error);
    }

    @Override
    public void extracted(long deliveryId, String callSid, String summary, Map<String, String> facts,
                          List<String> then, Instant giveUpAt) {
        store().extracted(deliveryId, callSid, summary, facts, then, giveUpAt);
    }

    @Override
    public void extractionFailed(long deliveryId, String error, List<String> then, Instant giveUpAt) {
        store().extractionFailed(deliveryId, error, then, giveUpAt);
    }

    @Override
    public Map<String, Long> backlog() {
        return store().backlog();
    }
}
