package dev.voiceagent.fakes;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Model of Twilio's outbound playout buffer for one stream: what the caller hears, and when.
 *
 * <p>Twilio buffers the server's {@code media} messages and plays them in order at real time
 * (8000 bytes per second); a {@code mark} waits in the same queue and is echoed when playout reaches it,
 * or at once if nothing is buffered; a {@code clear} drops everything buffered and echoes every pending
 * mark at once. This class is that queue with time passed in explicitly ({@code nowNanos}), so it is
 * deterministic and testable without threads. A driver thread calls {@link #advance(long)} at
 * {@link #nextDueNanos()} and sends the marks it returns.
 *
 * <p>Timing: audio is taken off the queue at the start of the frame that plays it, and the next byte is
 * due {@code 0.125 ms} per byte later, counted from when playout (re)started, so there is no drift.
 * Thread-safe: every method takes one lock.
 */
final class TwilioPlayout {

    /** Played audio kept for inspection: about the last minute. */
    static final int HISTORY_BYTES = 60 * 8000;

    private final ReentrantLock lock = new ReentrantLock();
    private final Deque<Object> queue = new ArrayDeque<>();
    private final List<String> marksDue = new ArrayList<>();
    private final ByteHistory history;
    private final GapDetector gaps;
    private boolean playing;
    private long playStartNanos;
    private long bytesSinceStart;
    private long playedBytes;
    private int clears;

    /** A playout with the default stutter thresholds. */
    TwilioPlayout() {
        this(new GapDetector());
    }

    /** A playout reporting stutters through {@code gaps}. */
    TwilioPlayout(GapDetector gaps) {
        this(gaps, HISTORY_BYTES);
    }

    /** A playout with the default stutter thresholds that keeps the last {@code historyBytes} of played audio. */
    TwilioPlayout(int historyBytes) {
        this(new GapDetector(), historyBytes);
    }

    private TwilioPlayout(GapDetector gaps, int historyBytes) {
        this.gaps = gaps;
        this.history = new ByteHistory(historyBytes);
    }

    /** A {@code media} message from the server arrived at {@code nowNanos}. */
    void audio(byte[] payload, long nowNanos) {
        lock.lock();
        try {
            update(nowNanos);
            if (payload.length == 0) {
                return;
            }
            queue.add(new Chunk(payload));
            if (!playing) {
                gaps.resumed(nowNanos);
                playing = true;
                playStartNanos = nowNanos;
                bytesSinceStart = 0;
            }
        } finally {
            lock.unlock();
        }
    }

    /** A {@code mark} from the server arrived: due once the audio queued before it has played. */
    void mark(String name, long nowNanos) {
        lock.lock();
        try {
            update(nowNanos);
            if (playing) {
                queue.add(new Mark(name));
            } else {
                marksDue.add(name);
            }
        } finally {
            lock.unlock();
        }
    }

    /** A {@code clear} from the server: drop buffered audio, every pending mark becomes due now. */
    void clear(long nowNanos) {
        lock.lock();
        try {
            update(nowNanos);
            for (Object item : queue) {
                if (item instanceof Mark mark) {
                    marksDue.add(mark.name());
                }
            }
            queue.clear();
            playing = false;
            gaps.reset();
            clears++;
        } finally {
            lock.unlock();
        }
    }

    /** Plays everything due by {@code nowNanos} and returns the marks to echo now, in order. */
    List<String> advance(long nowNanos) {
        lock.lock();
        try {
            update(nowNanos);
            if (marksDue.isEmpty()) {
                return List.of();
            }
            List<String> due = List.copyOf(marksDue);
            marksDue.clear();
            return due;
        } finally {
            lock.unlock();
        }
    }

    /**
     * When {@link #advance(long)} next has work: {@link Long#MIN_VALUE} if marks are due already,
     * {@link Long#MAX_VALUE} if idle until the server sends something.
     */
    long nextDueNanos() {
        lock.lock();
        try {
            if (!marksDue.isEmpty()) {
                return Long.MIN_VALUE;
            }
            return playing ? dueNanos() : Long.MAX_VALUE;
        } finally {
            lock.unlock();
        }
    }

    /** True if nothing is buffered or still playing at {@code nowNanos} and no mark waits to be echoed. */
    boolean drained(long nowNanos) {
        lock.lock();
        try {
            update(nowNanos);
            return !playing && marksDue.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes buffered but not yet played. */
    long queuedBytes() {
        lock.lock();
        try {
            long bytes = 0;
            for (Object item : queue) {
                if (item instanceof Chunk chunk) {
                    bytes += chunk.remaining();
                }
            }
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    /** How many {@code clear} messages were applied. */
    int clearCount() {
        lock.lock();
        try {
            return clears;
        } finally {
            lock.unlock();
        }
    }

    /** Total bytes played (cleared audio is not played). */
    long playedAudioBytes() {
        lock.lock();
        try {
            return playedBytes;
        } finally {
            lock.unlock();
        }
    }

    /** The most recently played audio, up to the history's cap ({@link #HISTORY_BYTES} unless set), oldest first. */
    byte[] playedAudio() {
        lock.lock();
        try {
            return history.toArray();
        } finally {
            lock.unlock();
        }
    }

    /** Stutters heard so far, in milliseconds (see {@link GapDetector}). */
    List<Long> gapsMillis() {
        lock.lock();
        try {
            return gaps.gaps().stream().map(Gap::millis).toList();
        } finally {
            lock.unlock();
        }
    }

    /** Stutters heard so far, with when each ended. */
    List<Gap> gaps() {
        lock.lock();
        try {
            return gaps.gaps();
        } finally {
            lock.unlock();
        }
    }

    /** Moves playout forward to {@code nowNanos}: one frame (or one chunk remainder) per step. */
    private void update(long nowNanos) {
        while (playing && dueNanos() <= nowNanos) {
            Object head = queue.poll();
            if (head == null) {
                playing = false;
                gaps.ranDry(dueNanos());
            } else if (head instanceof Mark mark) {
                marksDue.add(mark.name());
            } else {
                play((Chunk) head);
            }
        }
    }

    private void play(Chunk chunk) {
        // Never take across a chunk boundary: a mark may sit right after this chunk, and it must be
        // reached when this chunk's last byte has played, not a whole frame later.
        int n = Math.min(FrameClock.FRAME_BYTES, chunk.remaining());
        history.append(chunk.bytes, chunk.offset, n);
        chunk.offset += n;
        bytesSinceStart += n;
        playedBytes += n;
        if (chunk.remaining() > 0) {
            queue.addFirst(chunk);
        }
    }

    private long dueNanos() {
        return playStartNanos + FrameClock.nanosFor(bytesSinceStart);
    }

    /** Server audio not yet fully played. */
    private static final class Chunk {
        private final byte[] bytes;
        private int offset;

        Chunk(byte[] bytes) {
            this.bytes = bytes;
        }

        int remaining() {
            return bytes.length - offset;
        }
    }

    /** A mark waiting behind the audio sent before it. */
    private record Mark(String name) {
    }
}
