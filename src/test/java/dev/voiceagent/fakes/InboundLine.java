package dev.voiceagent.fakes;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the caller's microphone picks up, cut into 20 ms frames: queued speech first, else the background
 * (a looped noise bed, or digital silence by default).
 *
 * <p>Speech replaces the background rather than being mixed into it, so the server receives the clip
 * bytes exactly (use a clip recorded over noise, such as {@code speech_over_noise}, to test noisy speech).
 * Clips queued back to back are contiguous; the frame holding a clip's last byte is topped up with
 * background. Thread-safe.
 */
final class InboundLine {

    private static final byte SILENCE = (byte) 0xFF;

    private final ReentrantLock lock = new ReentrantLock();
    private final Deque<Utterance> speech = new ArrayDeque<>();
    private byte[] background = new byte[0];
    private int backgroundPos;
    private boolean hungUp;

    /** Loops {@code loopedNoise} whenever the caller is not speaking; an empty array means silence. */
    void background(byte[] loopedNoise) {
        lock.lock();
        try {
            background = loopedNoise.clone();
            backgroundPos = 0;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues a clip; the future completes once the frame carrying its last byte was sent
     * ({@link Frame#finish()}), or fails if the line goes dead first.
     */
    CompletableFuture<Void> speak(byte[] mulaw) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        lock.lock();
        try {
            if (hungUp) {
                done.completeExceptionally(new IllegalStateException("the caller no longer sends media"));
            } else {
                speech.add(new Utterance(mulaw.clone(), done));
            }
        } finally {
            lock.unlock();
        }
        return done;
    }

    /** Takes the next 20 ms of line audio. */
    Frame nextFrame() {
        byte[] payload = new byte[FrameClock.FRAME_BYTES];
        List<CompletableFuture<Void>> finished = new ArrayList<>(1);
        lock.lock();
        try {
            int filled = 0;
            while (filled < payload.length && !speech.isEmpty()) {
                Utterance head = speech.peek();
                int n = Math.min(payload.length - filled, head.clip.length - head.offset);
                System.arraycopy(head.clip, head.offset, payload, filled, n);
                head.offset += n;
                filled += n;
                if (head.offset == head.clip.length) {
                    speech.poll();
                    finished.add(head.done);
                }
            }
            fillBackground(payload, filled);
        } finally {
            lock.unlock();
        }
        return new Frame(payload, finished);
    }

    /** True if speech is queued or being sent. */
    boolean speaking() {
        lock.lock();
        try {
            return !speech.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** The line went dead (media stopped, call dropped): pending and future speech fails. */
    void hangUp() {
        List<Utterance> abandoned;
        lock.lock();
        try {
            hungUp = true;
            abandoned = List.copyOf(speech);
            speech.clear();
        } finally {
            lock.unlock();
        }
        abandoned.forEach(u -> u.done.completeExceptionally(
                new IllegalStateException("the caller stopped sending media before the clip was spoken")));
    }

    private void fillBackground(byte[] payload, int from) {
        if (background.length == 0) {
            Arrays.fill(payload, from, payload.length, SILENCE);
            return;
        }
        for (int i = from; i < payload.length; i++) {
            payload[i] = background[backgroundPos];
            backgroundPos = (backgroundPos + 1) % background.length;
        }
    }

    /**
     * One 20 ms frame and the clips whose last byte it carries.
     *
     * @param payload  160 bytes of mu-law
     * @param finished futures of the clips this frame ends
     */
    record Frame(byte[] payload, List<CompletableFuture<Void>> finished) {

        /** True if this frame carries the end of a clip (the moment to measure response latency from). */
        boolean endsSpeech() {
            return !finished.isEmpty();
        }

        /** Call once the frame was sent: the clips it ends have now been spoken. */
        void finish() {
            finished.forEach(f -> f.complete(null));
        }

        /** Call if the frame could not be sent: the clips it ends were never fully spoken. */
        void fail(Throwable cause) {
            finished.forEach(f -> f.completeExceptionally(cause));
        }
    }

    /** A queued clip and how much of it was sent. */
    private static final class Utterance {
        private final byte[] clip;
        private final CompletableFuture<Void> done;
        private int offset;

        Utterance(byte[] clip, CompletableFuture<Void> done) {
            this.clip = clip;
            this.done = done;
        }
    }
}
