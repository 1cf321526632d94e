package dev.voiceagent.call;

/**
 * What {@link Listening} tells the call session about the caller, whichever recogniser is behind it: the same
 * few conversation events for a live nova-3 stream, Flux, or batch Whisper with the local voice detector.
 */
sealed interface Heard {

    /** The caller is talking over whatever the agent is doing (barge-in evidence). */
    record Talking() implements Heard {
    }

    /** The caller paused; {@code soFar} is what they said up to now, to answer speculatively. */
    record Paused(Utterance soFar, int speechMs) implements Heard {
    }

    /** The caller went on talking after a pause: whatever was started on the pause is void. */
    record Resumed() implements Heard {
    }

    /**
     * The caller's turn is over.
     *
     * @param words          what they said
     * @param callerStartNanos when the turn's speech began
     * @param lastSpeechNanos  the caller's last speech frame
     * @param speechMs         speech in the whole turn, as the local detector measured it
     * @param wordsAskedNanos  when the final words were asked for (a {@code Finalize}), 0 if not asked
     * @param wordsNanos       when the final words arrived, 0 if not streamed
     * @param cost             what listening to this turn cost
     */
    record Finished(Utterance words, long callerStartNanos, long lastSpeechNanos, int speechMs, long wordsAskedNanos,
                    long wordsNanos, TurnListeningCost cost) implements Heard {
    }

    /** A turn with nothing to answer: line noise, or no words in it. */
    record Nothing(String why) implements Heard {
    }
}
