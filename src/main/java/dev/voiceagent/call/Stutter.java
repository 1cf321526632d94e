package dev.voiceagent.call;

import java.util.Optional;

/**
 * A hole in the middle of a reply's audio at Twilio, by the server's own account: the audio sent so far ran out
 * ({@code dryAt}, by the playout pacer's model of Twilio's queue) before the reply's next frame went out. The caller
 * hears it as a stutter or a pause. The hole is split by what it waited for, in order: the next words (the model,
 * or a tool it called, had not given them yet), their speech (the synthesizer had not delivered the audio) and the
 * sender (the audio was there but the server sent it late: CPU or scheduling); {@link #cause()} names the largest
 * share. Holes shorter than a 20 ms frame are jitter, not stutters (as a caller's ear, and the load test's, counts
 * them).
 *
 * @param wordsLateNanos  how long the line was dry before the words of the next audio were known
 * @param speechLateNanos how long it was dry after that, before their audio reached the playout
 * @param sentLateNanos   how long it was dry after the audio was there, waiting to be sent
 */
record Stutter(long wordsLateNanos, long speechLateNanos, long sentLateNanos) {

    /** Shorter holes are not counted. */
    static final long MIN_NANOS = 20_000_000L;

    /** Why the line ran dry. */
    enum Cause {
        /** The model (or a tool it called) had not given the next words: a pause, as while a tool runs. */
        WORDS_LATE("words_late"),
        /** The synthesizer had not delivered the audio of words it had. */
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
     * The stutter, if any, before a frame of the reply whose audio so far ran out at {@code dryAtNanos}: the frame's
     * words were known at {@code wordsNanos}, its audio reached the playout at {@code readyNanos} and it was sent at
     * {@code sentNanos} (all {@link System#nanoTime()}).
     */
    static Optional<Stutter> before(long dryAtNanos, long wordsNanos, long readyNanos, long sentNanos) {
        long hole = sentNanos - dryAtNanos;
        if (hole < MIN_NANOS) {
            return Optional.empty();
        }
        long words = Math.clamp(wordsNanos - dryAtNanos, 0, hole);
        long speech = Math.clamp(readyNanos - dryAtNanos - words, 0, hole - words);
        return Optional.of(new Stutter(words, speech, hole - words - speech));
    }

    /** How long the caller heard nothing. */
    long millis() {
        return (wordsLateNanos + speechLateNanos + sentLateNanos) / 1_000_000;
    }

    /** The largest share of the hole (the earlier one on a tie). */
    Cause cause() {
        if (wordsLateNanos >= speechLateNanos && wordsLateNanos >= sentLateNanos) {
            return Cause.WORDS_LATE;
        }
        return speechLateNanos >= sentLateNanos ? Cause.SPEECH_LATE : Cause.SENT_LATE;
    }

    /**
     * The stutters of one reply so far.
     *
     * @param count           how many
     * @param wordsLateMillis their time waiting for words
     * @param speechLateMillis their time waiting for speech
     * @param sentLateMillis  their time waiting for the sender
     */
    record Tally(int count, long wordsLateMillis, long speechLateMillis, long sentLateMillis) {

        static final Tally NONE = new Tally(0, 0, 0, 0);

        Tally plus(Stutter s) {
            return new Tally(count + 1, wordsLateMillis + s.wordsLateNanos / 1_000_000,
                             speechLateMillis + s.speechLateNanos / 1_000_000,
                             sentLateMillis + s.sentLateNanos / 1_000_000);
        }
    }
}
