package dev.voiceagent.audio;

/**
 * Decides when to send the next piece of outbound audio to Twilio. Twilio plays what it receives in order.
 * Sending with no lead at all lets the line run dry whenever the sender is a little late; sending far ahead of
 * real time (whole replies at once, as some frameworks do) leaves seconds queued at Twilio, which a lost or late
 * {@code clear} would play over the caller, and which Twilio discards past ten minutes. The pacer therefore keeps
 * a fixed lead queued at Twilio (the setting {@code calls.playoutLeadMs}, a few hundred ms: enough to ride out a
 * GC pause or a busy core) and otherwise sends at real time.
 *
 * <p>The model: {@code playedUntil} is the instant at which Twilio will have played everything sent so far.
 * Sending {@code d} of audio at {@code now} moves it to {@code max(playedUntil, now) + d} (if the queue ran dry,
 * playback restarts now). The next send is due when only the lead is left queued. Times are
 * {@link System#nanoTime()} values passed in by the caller, compared by subtraction so that wrap-around is
 * harmless; the pacer never reads a clock.
 *
 * <p>One instance per call; not thread-safe.
 */
public final class PlayoutPacer {

    private static final long NANOS_PER_MULAW_BYTE = 1_000_000_000L / 8000;

    private final long leadNanos;
    private boolean anythingSent;
    private long playedUntilNanos;

    /** @param leadNanos how much audio to keep queued at Twilio */
    public PlayoutPacer(long leadNanos) {
        if (leadNanos < 0) {
            throw new IllegalArgumentException("leadNanos must be >= 0: " + leadNanos);
        }
        this.leadNanos = leadNanos;
    }

    /** Duration of {@code bytes} of 8 kHz mu-law (8000 bytes are one second). */
    public static long mulawNanos(int bytes) {
        return bytes * NANOS_PER_MULAW_BYTE;
    }

    /** How long to wait before sending the next piece of audio; 0 means send now. */
    public long nanosUntilNextSend(long nowNanos) {
        if (!anythingSent) {
            return 0;
        }
        return Math.max(0, playedUntilNanos - leadNanos - nowNanos);
    }

    /** Records that {@code audioNanos} of audio were sent at {@code nowNanos}. */
    public void sent(long nowNanos, long audioNanos) {
        if (!anythingSent || playedUntilNanos - nowNanos < 0) {
            playedUntilNanos = nowNanos;
            anythingSent = true;
        }
        playedUntilNanos += audioNanos;
    }

    /** How much sent audio Twilio has not yet played at {@code nowNanos}. */
    public long bufferedNanos(long nowNanos) {
        if (!anythingSent) {
            return 0;
        }
        return Math.max(0, playedUntilNanos - nowNanos);
    }

    /** Forgets the queue after a {@code clear}: Twilio dropped everything it had not played. */
    public void reset(long nowNanos) {
        playedUntilNanos = nowNanos;
        anythingSent = true;
    }

    /**
     * The instant at which Twilio will have played everything sent so far; meaningless before the first
     * {@link #sent} or {@link #reset}.
     */
    public long playedUntilNanos() {
        return playedUntilNanos;
    }
}
