package dev.voiceagent.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Calls, turns, facts and the after-call outbox in PostgreSQL. Every method blocks on JDBC (callers are
 * virtual threads or background workers, never a call's hot path) and throws {@link StoreException} when the
 * database is unreachable. Writes are idempotent, so a write retried after an outage never duplicates a row.
 */
public interface CallStore {

    /** Targets of the after-call outbox. */
    String EXTRACTION = "extraction";
    String GOHIGHLEVEL = "gohighlevel";
    String WEBHOOK = "webhook";

    // ---- during the call ---------------------------------------------------------------------------------

    /** Records a call that has started ({@code in_progress}); repeating it changes nothing. */
    void open(CallOpened call);

    /** Records a finished turn; a turn already stored under (callSid, seq) is left as it is. */
    void addTurn(TurnRecord turn);

    /** Records a tool call; one already stored under (callSid, seq) is left as it is. */
    void addToolCall(ToolCallRecord call);

    /**
     * Records how the telephony side says the call's session ended (ConversationRelay's action callback), e.g.
     * {@code failed 64105: …}; the latest report wins. A call not (yet) stored is left alone.
     */
    void sessionOutcome(String callSid, String outcome);

    /**
     * Marks the call {@code completed} and, in the same transaction, queues an {@code extraction} delivery
     * (due now, failed if still undone at {@code giveUpAt}). Repeating it changes nothing.
     */
    void close(CallClosed call, Instant giveUpAt);

    /**
     * Calls still {@code in_progress} that started before {@code startedBefore} were cut off by a crash:
     * marks them {@code abandoned} (end reason {@code server stopped}) and queues their extraction, so their
     * turns still reach the CRM. Returns how many were found.
     */
    int abandonStale(Instant startedBefore, Instant giveUpAt);

    // ---- returning callers and the call API ---------------------------------------------------------------

    /** The caller's last {@code limit} calls that have a summary, newest first. */
    List<PastCall> recentCalls(String fromNumber, int limit);

    /** Calls newest first, optionally only those from or to {@code phone}. */
    CallPage calls(Optional<String> phone, int limit, int offset);

    /** One call with its turns in order, its facts and its deliveries. */
    Optional<CallDetail> call(String callSid);

    // ---- the after-call outbox ----------------------------------------------------------------------------

    /**
     * Claims up to {@code max} pending deliveries that are due, hiding them from other claimers for
     * {@code lease} (a worker that dies mid-attempt loses its claim when the lease runs out).
     */
    List<Delivery> claimDue(int max, Duration lease);

    /** Saves steps done so far (merged into the stored progress), before the next step is tried. */
    void saveProgress(long deliveryId, Map<String, String> progress);

    /** The delivery is done. */
    void delivered(long deliveryId);

    /** The attempt failed; try again at {@code next}. Counts the attempt. */
    void retryAt(long deliveryId, Instant next, String error);

    /** The delivery will not be tried again; it stays visible as {@code failed}. Counts the attempt. */
    void failed(long deliveryId, String error);

    /**
     * Stores the extracted summary and facts, marks the extraction delivery done and queues the CRM
     * deliveries {@code then} (e.g. {@code gohighlevel}, {@code webhook}), all in one transaction.
     */
    void extracted(long deliveryId, String callSid, String summary, Map<String, String> facts,
                   List<String> then, Instant giveUpAt);

    /**
     * Extraction gave up: marks it {@code failed} and still queues the CRM deliveries {@code then}, which
     * carry the transcript without a summary. One transaction.
     */
    void extractionFailed(long deliveryId, String error, List<String> then, Instant giveUpAt);

    /** Pending deliveries, by target: the backlog shown in health. */
    Map<String, Long> backlog();
}
