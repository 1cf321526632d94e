package dev.voiceagent.fakes;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import dev.voiceagent.call.Ticker;

/**
 * Runs a {@link TwilioPlayout} in real time on one virtual thread and sends the mark echoes it produces.
 *
 * <p>The thread sleeps until playout next has work ({@link TwilioPlayout#nextDueNanos()}), or indefinitely
 * when idle; {@link #wake()} must be called after every change to the playout so that a {@code clear} or
 * a mark on an idle line is echoed at once.
 *
 * <p>With a shared {@code clock} (a load generator's hundreds of callers) the thread waits on it instead of a timed
 * park of its own, which would cost the generator's JVM a delay-scheduler round trip per 20 ms of playout, and plays
 * what falls due within the clock's next tick at once (up to a tick early, as the clock ends waits).
 */
final class PlayoutDriver {

    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(2);

    private final TwilioPlayout playout;
    private final String streamSid;
    private final Consumer<String> onEchoed;
    private final Ticker clock;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Outbox outbox;

    /**
     * A driver for {@code playout}; {@code onEchoed} hears each mark name just before its echo is sent; {@code clock}
     * paces it when shared, null: timed parks of its own.
     */
    PlayoutDriver(TwilioPlayout playout, String streamSid, Consumer<String> onEchoed, Ticker clock) {
        this.playout = playout;
        this.streamSid = streamSid;
        this.onEchoed = onEchoed;
        this.clock = clock;
        this.thread = Thread.ofVirtual().name("twilio-playout-" + streamSid).unstarted(this::run);
    }

    /** Starts playing out, echoing marks through {@code outbox}. */
    void start(Outbox outbox) {
        this.outbox = outbox;
        thread.start();
    }

    /** The playout changed: re-evaluate now. Harmless before {@link #start}. */
    void wake() {
        LockSupport.unpark(thread);
    }

    /** Stops without waiting; safe to call from any thread, including the socket's. */
    void halt() {
        running = false;
        wake();
    }

    /** Stops and waits for the thread to end. */
    void stop() {
        halt();
        if (thread.isAlive() && thread != Thread.currentThread()) {
            try {
                thread.join(EXIT_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        try {
            long lookahead = clock == null ? 0 : clock.tickNanos();
            while (running) {
                List<String> marks = playout.advance(System.nanoTime() + lookahead);
                for (String name : marks) {
                    onEchoed.accept(name);   // first, so whoever sees the echo finds it recorded
                    outbox.send(seq -> TwilioMessages.mark(seq, streamSid, name));
                }
                // One park per pass, not a loop: a wake() (new audio, mark or clear) must be acted on now;
                // a spurious wake-up merely costs one extra pass.
                long due = playout.nextDueNanos();
                if (due == Long.MAX_VALUE) {
                    LockSupport.park(this);
                } else if (due - System.nanoTime() - lookahead > 0) {
                    if (clock == null) {
                        LockSupport.parkNanos(this, due - System.nanoTime());
                    } else {
                        clock.parkUntil(due);
                    }
                }
            }
        } catch (IllegalStateException e) {
            // The connection is gone; nothing is left to play to.
        }
    }
}
