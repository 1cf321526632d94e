package dev.voiceagent.call;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.voiceagent.observe.CallLog;
import dev.voiceagent.observe.CallMetrics;
import dev.voiceagent.twilio.MediaStreamSender;

/**
 * A call thread's bounded inbox: any thread offers without blocking; when it is full (the call thread is
 * stalled) the input is dropped, counted in metrics and logged once. Only the call thread takes from it.
 *
 * @param <T> what the call takes in
 */
final class CallInbox<T> {

    /** Put in the queue by the ticker when a poll's deadline has passed; never handed out. */
    private static final Object TICK = new Object();

    private final BlockingQueue<Object> queue;
    private final Ticker ticker;
    private final CallMetrics metrics;
    private final AtomicLong dropped = new AtomicLong();
    private volatile CallLog log = new CallLog("-");

    CallInbox(int capacity, Ticker ticker, CallMetrics metrics) {
        this.queue = new LinkedBlockingQueue<>(capacity);
        this.ticker = ticker;
        this.metrics = metrics;
    }

    /** The call's log, once its sid is known. */
    void log(CallLog callLog) {
        this.log = callLog;
    }

    /** Queues {@code input}; never blocks. */
    void offer(T input) {
        if (!queue.offer(input)) {
            metrics.droppedInput();
            if (dropped.getAndIncrement() == 0) {
                log.warn("call inbox full; dropping input (the call thread is stalled)", "input",
                         input.getClass().getSimpleName());
            }
        }
    }

    /**
     * The next input, waiting until the ticker's clock reads {@code deadline} (less up to a tick); null when none came
     * by then. It may also return null a little early, once after an input and the deadline came together: callers
     * check their timers and ask again. Call thread only.
     */
    @SuppressWarnings("unchecked")
    T poll(long deadline) throws InterruptedException {
        Object next = queue.poll();
        if (next == null) {
            if (!ticker.running()) {
                next = queue.poll(Math.max(0, deadline - ticker.now()), TimeUnit.NANOSECONDS);
            } else if (deadline - ticker.now() > ticker.tickNanos()) {
                Object wakeUp = ticker.wakeAt(deadline, () -> queue.offer(TICK));
                try {
                    next = queue.take();
                } finally {
                    ticker.cancel(wakeUp);
                }
            }
        }
        return next == TICK ? null : (T) next;
    }

    /** Inputs dropped so far. */
    long dropped() {
        return dropped.get();
    }

    /**
     * Closes a call's socket without letting a stuck TCP connection hold the call thread: the close frame is sent
     * on its own virtual thread, waited for at most {@code bound}.
     */
    static void closeSocket(MediaStreamSender out, int code, String reason, Duration bound) {
        Thread closer = Thread.ofVirtual().start(() -> out.close(code, reason));
        try {
            closer.join(bound);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
