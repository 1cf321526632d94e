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
 */
public record TurnTaking(Duration endOfTurn,
                         Duration minSpeech,
                         Duration interruptAfter,
                         boolean interruptible,
                         Duration repromptAfter,
                         Duration maxCallLength) {

    /** Defaults used for any setting a persona leaves out. */
    public static TurnTaking defaults() {
        return new TurnTaking(Duration.ofMillis(600), Duration.ofMillis(120), Duration.ofMillis(200), true,
                              Duration.ofSeconds(8), Duration.ofMinutes(15));
    }
}
