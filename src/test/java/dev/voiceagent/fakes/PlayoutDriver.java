package dev.voiceagent.fakes;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Runs a {@link TwilioPlayout} in real time on one virtual thread and sends the mark echoes it produces.
 *
 * <p>The thread sleeps until playout next has work ({@link TwilioPlayout#nextDueNanos()}), or indefinitely
 * when idle; {@link #wake()} must be called after every change to the playout so that a {@code clear} or
 * a mark on an idle line is echoed at once.
 */
final class PlayoutDriver {

    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(2);

    private final TwilioPlayout playout;
    private final String streamSid;
    private final Consumer<String> onEchoed;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Outbox outbox;

    /** A driver for {@code playout}; {@code onEchoed} hears each mark name just before its echo is sent. */
    PlayoutDriver(TwilioPlayout playout, String streamSid, Consumer<String> onEchoed) {
        this.playout = playout;
        this.streamSid = streamSid;
        this.onEchoed = onEchoed;
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
            while (running) {
                List<String> marks = playout.advance(System.nanoTime());
                for (String name : marks) {
                    onEchoed.accept(name);   // first, so whoever sees the echo finds it recorded
                    outbox.send(seq -> TwilioMessages.mark(seq, streamSid, name));
                }
                // One park per pass, not a loop: a wake() (new audio, mark or clear) must be acted on now;
                // a spurious wake-up merely costs one extra pass.
                long wait = playout.nextDueNanos();
                if (wait == Long.MAX_VALUE) {
                    LockSupport.park(this);
                } else if ((wait -= System.nanoTime()) > 0) {
                    LockSupport.parkNanos(this, wait);
                }
            }
        } catch (IllegalStateException e) {
            // The connection is gone; nothing is left to play to.
        }
    }
}
