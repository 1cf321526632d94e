package dev.voiceagent.fakes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Tells audible stutters from turn boundaries in the agent's outbound audio.
 *
 * <p>When the playout queue runs dry the caller hears silence. If more audio follows soon, that silence
 * sat in the middle of the agent's speech (a stutter the server caused by sending too late); if it follows
 * much later, the agent simply finished a turn. Very short holes are ignored: Twilio plays in 20 ms frames,
 * so a hole shorter than one frame is within the jitter any real-time-paced sender has.
 * Not thread-safe; the owner locks.
 */
final class GapDetector {

    /** Holes shorter than this are scheduling jitter, not stutters. */
    static final Duration DEFAULT_MIN_GAP = Duration.ofMillis(20);
    /** Silences longer than this are turn boundaries, not stutters. */
    static final Duration DEFAULT_MAX_GAP = Duration.ofMillis(1500);

    private final long minGapNanos;
    private final long maxGapNanos;
    private final List<Gap> gaps = new ArrayList<>();
    private long dryAtNanos = -1;
    private boolean dry;

    /** A detector with the default thresholds. */
    GapDetector() {
        this(DEFAULT_MIN_GAP, DEFAULT_MAX_GAP);
    }

    /** A detector that reports holes in {@code [minGap, maxGap]}. */
    GapDetector(Duration minGap, Duration maxGap) {
        this.minGapNanos = minGap.toNanos();
        this.maxGapNanos = maxGap.toNanos();
    }

    /** The queue ran dry at {@code nanos}: the moment the next audio byte was needed. */
    void ranDry(long nanos) {
        dry = true;
        dryAtNanos = nanos;
    }

    /** Audio arrived at {@code nanos} while the queue was empty; records a gap if it was a stutter. */
    void resumed(long nanos) {
        if (dry) {
            long hole = nanos - dryAtNanos;
            if (hole >= minGapNanos && hole <= maxGapNanos) {
                gaps.add(new Gap(Math.round(hole / 1_000_000.0), nanos));
            }
        }
        dry = false;
    }

    /** Playout was stopped on purpose (a {@code clear}); the silence that follows is not a stutter. */
    void reset() {
        dry = false;
    }

    /** The stutters seen so far, oldest first. */
    List<Gap> gaps() {
        return List.copyOf(gaps);
    }
}
