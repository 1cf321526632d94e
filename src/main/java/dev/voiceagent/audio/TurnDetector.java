package dev.voiceagent.audio;

/**
 * Turns per-frame speech decisions into the two moments the conversation cares about: the caller started
 * talking (stop our own playback: barge-in) and the caller finished a turn (transcribe it and answer).
 *
 * <p>Speaking starts after {@link TurnSettings#minSpeechMs()} of speech frames in a row, where a single
 * non-speech frame inside that run does not break it (a detector flickers at the edge of a word). The turn ends after
 * {@link TurnSettings#endOfTurnMs()} of continuous non-speech, so the natural pauses inside a sentence do not
 * cut the caller off. A turn with less than {@link TurnSettings#minTurnSpeechMs()} of speech in it (a cough,
 * "uh") ends silently, without {@link Event#TURN_ENDED}.
 *
 * <p>One instance per call; not thread-safe.
 */
public final class TurnDetector {

    /** What one frame changed. */
    public enum Event {
        /** Nothing worth acting on. */
        NONE,
        /** The caller has been speaking long enough to count; fired once per turn. */
        SPEECH_STARTED,
        /** The caller's turn is over and had enough speech to answer; fired once per turn. */
        TURN_ENDED
    }

    private final TurnSettings settings;

    private boolean inTurn;
    private int speechMs;
    private int silenceMs;
    private boolean lastWasSpeech;
    private boolean onsetDropoutUsed;

    public TurnDetector(TurnSettings settings) {
        this.settings = settings;
    }

    /** A detector with default settings except for the pause that ends a turn. */
    public static TurnDetector withEndOfTurnMs(int endOfTurnMs) {
        return new TurnDetector(TurnSettings.defaults().withEndOfTurnMs(endOfTurnMs));
    }

    /**
     * Feeds the decision for one frame.
     *
     * @param speech  whether the frame was speech
     * @param frameMs how much audio the frame held
     * @return what this frame changed
     */
    public Event accept(boolean speech, int frameMs) {
        boolean previousWasSpeech = lastWasSpeech;
        lastWasSpeech = speech;
        if (speech) {
            silenceMs = 0;
            speechMs = saturatedAdd(speechMs, frameMs);
            if (!inTurn && speechMs >= settings.minSpeechMs()) {
                inTurn = true;
                onsetDropoutUsed = false;
                return Event.SPEECH_STARTED;
            }
            return Event.NONE;
        }
        silenceMs = saturatedAdd(silenceMs, frameMs);
        if (!inTurn) {
            // One dropout inside an onset is flicker at the edge of a word; a second one means the burst was not
            // sustained speech, and counting on would let sparse noise hits add up to a turn.
            if (speechMs > 0 && previousWasSpeech && !onsetDropoutUsed) {
                onsetDropoutUsed = true;
            } else {
                speechMs = 0;
                onsetDropoutUsed = false;
            }
            return Event.NONE;
        }
        if (silenceMs < settings.endOfTurnMs()) {
            return Event.NONE;
        }
        boolean enoughSpeech = speechMs >= settings.minTurnSpeechMs();
        inTurn = false;
        speechMs = 0;
        return enoughSpeech ? Event.TURN_ENDED : Event.NONE;
    }

    /** Whether the caller is in a turn: speech has started and the end-of-turn pause has not yet passed. */
    public boolean inTurn() {
        return inTurn;
    }

    /** Continuous non-speech up to the latest frame, in ms; for silence timers ("are you still there?"). */
    public int silenceMs() {
        return silenceMs;
    }

    /** Speech accumulated in the current turn (or in the onset not yet counted as one), in ms. */
    public int turnSpeechMs() {
        return speechMs;
    }

    /** Forgets everything, e.g. when the agent starts a new prompt and earlier audio no longer matters. */
    public void reset() {
        inTurn = false;
        speechMs = 0;
        silenceMs = 0;
        lastWasSpeech = false;
        onsetDropoutUsed = false;
    }

    private static int saturatedAdd(int a, int b) {
        return (int) Math.min(Integer.MAX_VALUE, (long) a + b);
    }
}
