package dev.voiceagent.stt;

/**
 * What a live transcription socket reports. nova-3 gives {@link SpeechStarted}, {@link Words} and
 * {@link UtteranceEnd}; Flux gives {@link SpeechStarted} (its {@code StartOfTurn}), {@link Words} (its
 * {@code Update}, the whole turn so far, never final), {@link EagerEndOfTurn}, {@link TurnResumed} and
 * {@link EndOfTurn}. Either may end with {@link Dropped}.
 */
public sealed interface SpeechEvent {

    /** The vendor heard speech begin (nova-3 {@code SpeechStarted}, Flux {@code StartOfTurn}). */
    record SpeechStarted() implements SpeechEvent {
    }

    /**
     * Transcribed words. nova-3: one {@code Results} message; {@code isFinal} segments are appended to the
     * turn, interim ones ({@code isFinal=false}) replace the previous interim. Flux {@code Update}: the whole
     * turn so far, {@code cumulative=true}. Empty transcripts are not reported.
     *
     * @param speechFinal  nova-3 {@code speech_final}: the vendor's endpointing silence was reached
     * @param fromFinalize nova-3 {@code from_finalize}: the answer to our {@code Finalize}
     */
    record Words(String text, boolean isFinal, boolean speechFinal, boolean fromFinalize, boolean cumulative)
            implements SpeechEvent {
    }

    /** nova-3 {@code UtteranceEnd}: a gap of {@code utterance_end_ms} after the last final word. */
    record UtteranceEnd() implements SpeechEvent {
    }

    /** Flux {@code EagerEndOfTurn}: the caller has probably finished; {@code transcript} is the whole turn. */
    record EagerEndOfTurn(String transcript) implements SpeechEvent {
    }

    /** Flux {@code TurnResumed}: the caller went on after an {@link EagerEndOfTurn}. */
    record TurnResumed() implements SpeechEvent {
    }

    /** Flux {@code EndOfTurn}: the caller finished; {@code transcript} is the whole turn. */
    record EndOfTurn(String transcript) implements SpeechEvent {
    }

    /**
     * The socket is gone without our asking: closed by the vendor, an {@code Error} message, a cut connection.
     * Delivered at most once, and never after {@link SpeechStream#close()}.
     */
    record Dropped(String why) implements SpeechEvent {
    }
}
