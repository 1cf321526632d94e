package dev.voiceagent.live;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.time.Duration;

import dev.voiceagent.store.CallClosed;
import dev.voiceagent.store.CallJournal;
import dev.voiceagent.store.CallOpened;
import dev.voiceagent.store.TurnRecord;

/**
 * The in-process feed of calls in progress on this instance, for the live console: calls started, turns stored
 * (barge-ins are agent turns marked interrupted) and calls ended, as the call sessions hand them to the
 * {@link CallJournal} (both media-stream and ConversationRelay calls record through it, so both publish).
 * <p>
 * Publishing never blocks a call: it updates a small in-memory picture of the calls in progress (at most
 * {@link #MAX_CALLS} calls, {@link #MAX_TURNS_PER_CALL} recent turns each) and offers the event to each
 * subscriber's bounded queue ({@link #QUEUE_CAPACITY}). A subscriber whose queue is full (a slow browser) loses its
 * queued events and is handed a fresh {@link LiveUpdate.Snapshot} on its next read instead (drop and resync). At most
 * {@link #MAX_SUBSCRIBERS} subscribers at once. Thread-safe.
 */
public final class LiveCalls implements CallJournal.Observer, AutoCloseable {

    public static final int MAX_CALLS = 2_000;
    public static final int MAX_TURNS_PER_CALL = 200;
    public static final int QUEUE_CAPACITY = 256;
    public static final int MAX_SUBSCRIBERS = 64;

    private final Map<String, Call> calls = new LinkedHashMap<>();
    private final Set<Subscription> subscribers = new CopyOnWriteArraySet<>();
    private boolean closed;

    /** Publishes what happened on a call. Never blocks (one short lock shared with the other publishers). */
    public void publish(LiveEvent event) {
        synchronized (this) {
            if (closed) {
                return;
            }
            switch (event) {
                case LiveEvent.Started s -> {
                    calls.put(s.callSid(), new Call(s));
                    while (calls.size() > MAX_CALLS) {
                        calls.remove(calls.keySet().iterator().next());
                    }
                }
                case LiveEvent.Turn t -> {
                    Call call = calls.get(t.callSid());
                    if (call != null) {
                        call.turns.addLast(t);
                        while (call.turns.size() > MAX_TURNS_PER_CALL) {
                            call.turns.removeFirst();
                        }
                    }
                }
                case LiveEvent.Ended e -> calls.remove(e.callSid());
            }
            for (Subscription s : subscribers) {
                s.offer(event);
            }
        }
    }

    @Override
    public void opened(CallOpened c) {
        publish(new LiveEvent.Started(c.callSid(), c.personaId(), c.from(), c.to(), c.startedAt()));
    }

    @Override
    public void turn(TurnRecord t) {
        publish(new LiveEvent.Turn(t.callSid(), t.seq(), t.role().sql(), t.text(), t.interrupted(), t.startedAt(),
                                   t.endedAt(), t.timingsMs()));
    }

    @Override
    public void closed(CallClosed c) {
        publish(new LiveEvent.Ended(c.callSid(), c.endedAt(), c.durationMs(), c.endReason()));
    }

    /** The calls in progress now, oldest first. */
    public synchronized List<LiveCall> snapshot() {
        List<LiveCall> list = new ArrayList<>(calls.size());
        calls.values().forEach(c -> list.add(new LiveCall(c.started, new ArrayList<>(c.turns))));
        return list;
    }

    /**
     * Starts following the calls: the subscription's first update is a snapshot, then every event published after
     * it. Empty when {@link #MAX_SUBSCRIBERS} are following already or the feed is closed. Close the subscription
     * when done.
     */
    public synchronized Optional<Subscription> subscribe() {
        if (closed || subscribers.size() >= MAX_SUBSCRIBERS) {
            return Optional.empty();
        }
        Subscription s = new Subscription();
        subscribers.add(s);
        return Optional.of(s);
    }

    /** Subscribers now (tests, health). */
    public int subscribers() {
        return subscribers.size();
    }

    /** Ends every subscription (their readers get {@link LiveUpdate.Closed}) and stops publishing. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            calls.clear();
        }
        subscribers.forEach(Subscription::end);
    }

    private static final class Call {
        final LiveEvent.Started started;
        final Deque<LiveEvent.Turn> turns = new ArrayDeque<>();

        Call(LiveEvent.Started started) {
            this.started = started;
        }
    }

    /**
     * One reader's place in the feed: one thread reads it with {@link #next}; publishers only offer to it.
     * Bounded: {@link #QUEUE_CAPACITY} events; on overflow the queue is emptied and the next read is a snapshot.
     */
    public final class Subscription implements AutoCloseable {

        private final BlockingQueue<LiveUpdate> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
        private volatile boolean resync = true;
        private volatile boolean ended;
        private final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();

        private Subscription() {
        }

        private void offer(LiveEvent event) {
            if (resync || ended) {
                return; // a snapshot taken at the next read will hold it
            }
            if (!queue.offer(new LiveUpdate.Event(event))) {
                resync = true;
                dropped.incrementAndGet();
                queue.clear();
            }
        }

        private void end() {
            ended = true;
            queue.clear();
            queue.offer(new LiveUpdate.Closed());
        }

        /**
         * The next update, waiting at most {@code wait}; empty when nothing happened meanwhile. Blocks the calling
         * (reader) thread only.
         */
        public Optional<LiveUpdate> next(Duration wait) throws InterruptedException {
            if (ended) {
                return Optional.of(new LiveUpdate.Closed());
            }
            if (resync) {
                synchronized (LiveCalls.this) {
                    // Under the publishers' lock: no event slips between the snapshot and the queue.
                    queue.clear();
                    resync = false;
                    return Optional.of(new LiveUpdate.Snapshot(snapshot()));
                }
            }
            return Optional.ofNullable(queue.poll(wait.toNanos(), TimeUnit.NANOSECONDS));
        }

        /** How many times this reader fell behind and was resynchronised. */
        public long resyncs() {
            return dropped.get();
        }

        @Override
        public void close() {
            ended = true;
            subscribers.remove(this);
        }
    }
}
