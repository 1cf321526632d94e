package dev.voiceagent.fakes;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import dev.voiceagent.call.Ticker;

/**
 * The inbound media stream of one call: a {@code media} frame every 20 ms, on one virtual thread, from
 * {@link #start()} until {@link #halt()} or until the connection fails.
 *
 * <p>Frame {@code n} is due at {@code start + n * 20 ms} (absolute, so there is no drift); if the thread
 * falls behind it catches up, which is also how a stalled network delivers Twilio's frames.
 */
final class MediaSender {

    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(2);

    private final Outbox outbox;
    private final String streamSid;
    private final InboundLine line;
    private final Ticker frameClock;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long lastSpeechFrameNanos = -1;

    /**
     * A sender of {@code line}'s audio on stream {@code streamSid}; not started yet. With a shared
     * {@code frameClock} (a load generator's hundreds of callers) each frame waits on it instead of a timed park of
     * its own, which would cost the generator's JVM a delay-scheduler round trip per frame; null: a timed park.
     */
    MediaSender(Outbox outbox, String streamSid, InboundLine line, Ticker frameClock) {
        this.outbox = outbox;
        this.streamSid = streamSid;
        this.line = line;
        this.frameClock = frameClock;
        this.thread = Thread.ofVirtual().name("twilio-media-" + streamSid).unstarted(this::run);
    }

    /** Sends the first frame now and one every 20 ms after it. */
    void start() {
        thread.start();
    }

    /** Stops sending without waiting; safe to call from any thread, including the socket's. */
    void halt() {
        running = false;
        LockSupport.unpark(thread);
    }

    /** Stops sending and waits until no further frame can go out. */
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

    /** When the frame carrying the end of the latest clip was sent, or -1. */
    long lastSpeechFrameNanos() {
        return lastSpeechFrameNanos;
    }

    private void run() {
        long firstFrameNanos = System.nanoTime();
        try {
            for (long n = 0; running; n++) {
                long due = firstFrameNanos + n * FrameClock.FRAME_NANOS;
                if (frameClock == null) {
                    FrameClock.parkUntil(due, () -> !running);
                } else {
                    frameClock.sleepUntil(due);   // a halt() ends it at the frame's time at the latest
                }
                if (running) {
                    send(line.nextFrame(), n + 1, n * FrameClock.FRAME_NANOS / 1_000_000);
                }
            }
        } catch (IllegalStateException e) {
            // The connection is gone; Twilio stops streaming when that happens.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            line.hangUp();
        }
    }

    private void send(InboundLine.Frame frame, long chunk, long timestampMs) {
        try {
            outbox.send(seq -> TwilioMessages.media(seq, streamSid, chunk, timestampMs, frame.payload()));
        } catch (IllegalStateException e) {
            frame.fail(e);
            throw e;
        }
        if (frame.endsSpeech()) {
            lastSpeechFrameNanos = System.nanoTime();
        }
        frame.finish();
    }
}
