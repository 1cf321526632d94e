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

    private final BlockingQueue<T> queue;
    private final CallMetrics metrics;
    private final AtomicLong dropped = new AtomicLong();
    private volatile CallLog log = new CallLog("-");

    CallInbox(int capacity, CallMetrics metrics) {
        this.queue = new LinkedBlockingQueue<>(capacity);
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

    /** The next input, waiting at most {@code timeout}; null when none came. Call thread only. */
    T poll(long timeout, TimeUnit unit) throws InterruptedException {
        return queue.poll(timeout, unit);
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
