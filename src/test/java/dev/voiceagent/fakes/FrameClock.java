package dev.voiceagent.fakes;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Telephone-audio time arithmetic and absolute-deadline sleeping.
 *
 * <p>Both the inbound media sender and the playout thread schedule against absolute deadlines
 * ({@code start + n * 20 ms}) rather than sleeping 20 ms per frame, because relative sleeps
 * accumulate scheduling latency and drift away from real time over a call.
 */
final class FrameClock {

    /** Bytes in one 20 ms frame of 8 kHz mu-law: the size Twilio sends per {@code media} message. */
    static final int FRAME_BYTES = 160;
    /** Duration of one frame. */
    static final long FRAME_NANOS = 20_000_000L;
    /** One mu-law byte is one sample at 8 kHz. */
    static final long NANOS_PER_BYTE = 125_000L;

    private FrameClock() {
    }

    /** Play-out duration of {@code bytes} of mu-law audio. */
    static long nanosFor(long bytes) {
        return bytes * NANOS_PER_BYTE;
    }

    /**
     * Parks until {@code System.nanoTime()} reaches {@code deadline}, or until {@code stop} turns true.
     * Callers wake a parked thread early with {@link LockSupport#unpark(Thread)}; parking is used instead
     * of interrupts so that an in-flight WebSocket send is never interrupted half way.
     */
    static void parkUntil(long deadline, BooleanSupplier stop) {
        long remaining;
        while (!stop.getAsBoolean() && (remaining = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(remaining);
        }
    }
}
