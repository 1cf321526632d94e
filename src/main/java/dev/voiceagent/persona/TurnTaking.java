package dev.voiceagent.persona;

import java.time.Duration;

/**
 * How a persona listens.
 *
 * @param endOfTurn        silence after the caller's last word that ends their turn (pauses inside a
 *                         sentence are shorter, typically under 400 ms)
 * @param minSpeech        speech needed before a sound counts as the caller starting to talk
 * @param interruptAfter   speech over the agent needed before the agent stops (barge-in); longer than
 *                         {@code minSpeech} so a cough or "mm-hm" does not cut the agent off
 * @param interruptible    whether the caller can interrupt at all
 * @param repromptAfter    caller silence before the agent prompts again (and, the second time, says goodbye)
 * @param maxCallLength    hard limit on the call; the agent says goodbye and hangs up
 * @param speculation      how the agent starts work before the turn is known to be over
 */
public record TurnTaking(Duration endOfTurn,
                         Duration minSpeech,
                         Duration interruptAfter,
                         boolean interruptible,
                         Duration repromptAfter,
                         Duration maxCallLength,
                         Speculation speculation) {

    /**
     * Speculative transcription and preemptive generation, and the adaptive end of turn they allow.
     *
     * @param enabled         whether to speculate at all
     * @param after           caller pause after which the turn so far is transcribed and answered, held
     *                        until the end of the turn is confirmed
     * @param maxPerTurn      bound on speculations per turn (each costs one STT and one LLM request)
     * @param endOfTurnMin    end-of-turn wait when the words so far are a complete sentence or question
     * @param endOfTurnMax    end-of-turn wait when the words trail off ("and", "um", a comma)
     */
    public record Speculation(boolean enabled, Duration after, int maxPerTurn, Duration endOfTurnMin,
                              Duration endOfTurnMax) {

        public static Speculation defaults() {
            return new Speculation(true, Duration.ofMillis(200), 2, Duration.ofMillis(500), Duration.ofMillis(1000));
        }

        /** Defaults with live transcription: a pause is one after 100 ms, as words are final 75 ms later. */
        public static Speculation streamingDefaults() {
            return new Speculation(true, Duration.ofMillis(100), 2, Duration.ofMillis(500), Duration.ofMillis(1000));
        }

        public static Speculation off() {
            return new Speculation(false, Duration.ofMillis(200), 0, Duration.ZERO, Duration.ZERO);
        }
    }

    /** Defaults used for any setting a persona leaves out. */
    public static TurnTaking defaults() {
        return new TurnTaking(Duration.ofMillis(600), Duration.ofMillis(120), Duration.ofMillis(200), true,
                              Duration.ofSeconds(8), Duration.ofMinutes(15), Speculation.defaults());
    }

    /** The longest the caller's silence can last before their turn ends. */
    public Duration longestEndOfTurn() {
        return speculation.enabled() && speculation.endOfTurnMax().compareTo(endOfTurn) > 0
                ? speculation.endOfTurnMax() : endOfTurn;
    }
}
