package dev.voiceagent.fakes;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Everything the server sent: raw frames, when its audio arrived, and the protocol errors it made.
 *
 * <p>Bounded so that long or numerous calls keep a modest footprint: raw frames up to
 * {@link #MAX_TEXT_CHARS} characters in total (about a minute of 20 ms media) unless set lower, audio arrival
 * times for the last {@link #MAX_ARRIVALS} media messages, and the first {@link #MAX_ERRORS} protocol errors.
 * Thread-safe.
 */
final class ServerTraffic {

    /** Raw frames kept, counted in characters; the oldest are dropped first. */
    static final int MAX_TEXT_CHARS = 1_000_000;
    /** Media arrival stamps kept (about 5.5 minutes of 20 ms frames). */
    static final int MAX_ARRIVALS = 16_384;
    /** Protocol errors kept; a misbehaving server repeats the same error on every frame. */
    static final int MAX_ERRORS = 1_000;

    private final ReentrantLock lock = new ReentrantLock();
    private final Deque<String> texts = new ArrayDeque<>();
    private final ArrivalTimes mediaArrivals = new ArrivalTimes(MAX_ARRIVALS);
    private final List<String> errors = new ArrayList<>();
    private final int maxTextChars;
    private long textChars;
    private long textCount;

    /** Traffic keeping up to {@link #MAX_TEXT_CHARS} characters of raw frames. */
    ServerTraffic() {
        this(MAX_TEXT_CHARS);
    }

    /** Traffic keeping up to {@code maxTextChars} characters of raw frames (always the latest frame). */
    ServerTraffic(int maxTextChars) {
        this.maxTextChars = maxTextChars;
    }

    /** A frame arrived; {@code validMedia} if it was audio for our stream. */
    void received(String text, boolean validMedia, long nanos) {
        lock.lock();
        try {
            texts.add(text);
            textChars += text.length();
            textCount++;
            while (textChars > maxTextChars && texts.size() > 1) {
                textChars -= texts.poll().length();
            }
            if (validMedia) {
                mediaArrivals.add(nanos);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Records something Twilio would have rejected. */
    void protocolError(String problem) {
        lock.lock();
        try {
            if (errors.size() < MAX_ERRORS) {
                errors.add(problem);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The retained raw frames, oldest first. */
    List<String> texts() {
        lock.lock();
        try {
            return List.copyOf(texts);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Retained frames received after the first {@code seen} frames ever, and the count to pass next time;
     * lets a waiter test each frame once instead of rescanning the whole log on every change.
     */
    Since textsSince(long seen) {
        lock.lock();
        try {
            int fresh = (int) Math.min(texts.size(), textCount - seen);
            List<String> out = new ArrayList<>(fresh);
            texts.stream().skip(texts.size() - fresh).forEach(out::add);
            return new Since(out, textCount);
        } finally {
            lock.unlock();
        }
    }

    /** Protocol errors so far. */
    List<String> protocolErrors() {
        lock.lock();
        try {
            return List.copyOf(errors);
        } finally {
            lock.unlock();
        }
    }

    /** When the first media message at or after {@code nanos} arrived, or -1. */
    long firstMediaAtOrAfter(long nanos) {
        lock.lock();
        try {
            return mediaArrivals.firstAtOrAfter(nanos);
        } finally {
            lock.unlock();
        }
    }

    /** When the latest media message arrived, or -1. */
    long lastMediaNanos() {
        lock.lock();
        try {
            return mediaArrivals.last();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Frames newer than a cursor.
     *
     * @param texts the frames
     * @param seen  cursor for the next call
     */
    record Since(List<String> texts, long seen) {
    }
}
