package dev.voiceagent.store;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes what happens on calls to the {@link CallStore} behind the calls' backs: a call thread hands over a
 * record and goes on talking, and one writer thread stores the records in the order they were handed over.
 * <p>
 * When the database is unreachable the writer keeps the records and retries the oldest with a growing
 * delay (capped), so an outage never blocks or breaks a call, and every turn is written once the database
 * is back. Retries are harmless because every store write is idempotent. A record the database refuses
 * for its content (a constraint or data error, which no retry can fix) is logged and skipped so it cannot
 * hold up the records behind it.
 * <p>
 * Records wait in memory only while the database is down: a crash during an outage loses those, nothing
 * else. The queue is bounded; past {@code capacity} the newest records are refused with a log line.
 */
public final class CallJournal implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CallJournal.class.getName());
    private static final Duration FIRST_RETRY = Duration.ofMillis(200);
    private static final Duration MAX_RETRY = Duration.ofSeconds(5);

    private final CallStore store;
    private final BlockingQueue<Consumer<CallStore>> queue;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean refusedWarned = new AtomicBoolean();
    /** Handed over and not yet stored or skipped: unlike the queue's size, includes the one being written. */
    private final AtomicInteger outstanding = new AtomicInteger();
    private volatile boolean databaseDown;
    private final Thread writer;
    private final Observer observer;

    /**
     * Told of each record as a call thread hands it over, before it is stored (for live views of calls in
     * progress). Runs on the call's thread: implementations must return at once, never block and never throw.
     */
    public interface Observer {

        /** An observer that ignores everything. */
        Observer NONE = new Observer() {
        };

        default void opened(CallOpened call) {
        }

        default void turn(TurnRecord turn) {
        }

        default void closed(CallClosed call) {
        }
    }

    public CallJournal(CallStore store, int capacity) {
        this(store, capacity, Observer.NONE);
    }

    /** A journal that also tells {@code observer} of every call opened, turn and close as it is handed over. */
    public CallJournal(CallStore store, int capacity, Observer observer) {
        this.store = store;
        this.observer = observer;
        this.queue = new LinkedBlockingQueue<>(capacity);
        this.writer = Thread.ofVirtual().name("call-journal").start(this::writeLoop);
    }

    /** The call has started. Never blocks. */
    public void opened(CallOpened call) {
        observe(() -> observer.opened(call));
        enqueue(s -> s.open(call), call.callSid());
    }

    /** A turn is over. Never blocks. */
    public void turn(TurnRecord turn) {
        observe(() -> observer.turn(turn));
        enqueue(s -> s.addTurn(turn), turn.callSid());
    }

    /** A tool call is over. Never blocks. */
    public void toolCall(ToolCallRecord call) {
        enqueue(s -> s.addToolCall(call), call.callSid());
    }

    /** How the telephony side says the call's session ended (after the call, from a callback). Never blocks. */
    public void sessionOutcome(String callSid, String outcome) {
        enqueue(s -> s.sessionOutcome(callSid, outcome), callSid);
    }

    /** The call has ended; its after-call work is queued with it. Never blocks. */
    public void closed(CallClosed call, Instant giveUpAt) {
        observe(() -> observer.closed(call));
        enqueue(s -> s.close(call, giveUpAt), call.callSid());
    }

    /** Records handed over and not yet stored. */
    public int pending() {
        return outstanding.get();
    }

    /** Whether the last write attempt failed because the database could not be reached. */
    public boolean databaseDown() {
        return databaseDown;
    }

    /**
     * Waits up to {@code timeout} for every record handed over so far to be stored (shutdown, tests).
     *
     * @return whether the journal is empty
     */
    public boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (outstanding.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Stops the writer after at most {@code timeout} spent storing what is still queued. */
    public void close(Duration timeout) {
        try {
            if (!flush(timeout)) {
                LOG.severe("database unavailable at shutdown: " + queue.size() + " call record(s) not stored");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closed.set(true);
        writer.interrupt();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    /** An observer's failure is logged and never reaches the call. */
    private static void observe(Runnable notify) {
        try {
            notify.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "call journal observer failed", e);
        }
    }

    private void enqueue(Consumer<CallStore> write, String callSid) {
        outstanding.incrementAndGet();
        if (closed.get() || !queue.offer(write)) {
            outstanding.decrementAndGet();
            if (refusedWarned.compareAndSet(false, true)) {
                LOG.severe("call journal full or closed (" + queue.size() + " records waiting for the database); "
                           + "refusing records, first for call " + callSid);
            }
        }
    }

    private void writeLoop() {
        Duration delay = FIRST_RETRY;
        try {
            while (!closed.get()) {
                Consumer<CallStore> next = queue.poll(1, TimeUnit.SECONDS);
                if (next == null) {
                    continue;
                }
                while (true) {
                    try {
                        next.accept(store);
                        if (databaseDown) {
                            LOG.info("database reachable again; storing " + queue.size() + " waiting call record(s)");
                        }
                        databaseDown = false;
                        refusedWarned.set(false);
                        delay = FIRST_RETRY;
                        break;
                    } catch (StoreException e) {
                        if (refusedForContent(e)) {
                            LOG.log(Level.SEVERE, "database refused a call record; skipping it", e);
                            break;
                        }
                        if (!databaseDown) {
                            LOG.warning("database unavailable; keeping call records until it is back: " + e.getMessage());
                        }
                        databaseDown = true;
                        Thread.sleep(delay.toMillis());
                        delay = delay.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : delay.multipliedBy(2);
                    } catch (RuntimeException e) {
                        LOG.log(Level.SEVERE, "storing a call record failed; skipping it", e);
                        break;
                    }
                }
                outstanding.decrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SQLState class 22 (data exception) or 23 (integrity constraint): the record itself is wrong. */
    private static boolean refusedForContent(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                && (sql.getSQLState().startsWith("22") || sql.getSQLState().startsWith("23"))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
