package dev.voiceagent.call;

import java.util.Optional;

/**
 * A hole in the middle of a reply's audio at Twilio, by the server's own account: the audio sent so far ran out
 * ({@code dryAt}, by the playout pacer's model of Twilio's queue) before the reply's next frame went out. The caller
 * hears it as a stutter. Part of the hole may be the voice's (the next audio had not come from the synthesizer
 * yet) and part the server's (the audio was waiting but the sender ran late: CPU or scheduling); {@link #cause()}
 * names the larger. Holes shorter than a 20 ms frame are jitter, not stutters (as a caller's ear, and the load
 * test's, counts them).
 *
 * @param starvedNanos how long the line was dry before the audio reached the playout
 * @param lateNanos    how long the line was dry after the audio was there, waiting to be sent
 */
record Stutter(long starvedNanos, long lateNanos) {

    /** Shorter holes are not counted. */
    static final long MIN_NANOS = 20_000_000L;

    /** Why the line ran dry. */
    enum Cause {
        /** The synthesizer (or the model before it) had not delivered the audio yet. */
        SPEECH_LATE("speech_late"),
        /** The audio was ready but the server sent it late. */
        SENT_LATE("sent_late");

        private final String tag;

        Cause(String tag) {
            this.tag = tag;
        }

        /** The name in logs and metrics. */
        String tag() {
            return tag;
        }
    }

    /**
     * The stutter, if any, before a frame of the reply whose audio so far ran out at {@code dryAtNanos}: the frame
     * reached the playout at {@code readyNanos} and was sent at {@code sentNanos} (all {@link System#nanoTime()}).
     */
    static Optional<Stutter> before(long dryAtNanos, long readyNanos, long sentNanos) {
        long hole = sentNanos - dryAtNanos;
        if (hole < MIN_NANOS) {
            return Optional.empty();
        }
        long starved = Math.clamp(readyNanos - dryAtNanos, 0, hole);
        return Optional.of(new Stutter(starved, hole - starved));
    }

    /** How long the caller heard nothing. */
    long millis() {
        return (starvedNanos + lateNanos) / 1_000_000;
    }

    /** The larger share of the hole. */
    Cause cause() {
        return lateNanos > starvedNanos ? Cause.SENT_LATE : Cause.SPEECH_LATE;
    }

    /**
     * The stutters of one reply so far.
     *
     * @param count         how many
     * @param starvedMillis their time waiting for speech
     * @param lateMillis    their time waiting for the sender
     */
    record Tally(int count, long starvedMillis, long lateMillis) {

        static final Tally NONE = new Tally(0, 0, 0);

        Tally plus(Stutter s) {
            return new Tally(count + 1, starvedMillis + s.starvedNanos / 1_000_000, lateMillis + s.lateNanos / 1_000_000);
        }
    }
}
