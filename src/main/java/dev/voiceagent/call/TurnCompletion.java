package dev.voiceagent.call;

import java.util.Locale;
import java.util.Set;

/**
 * Whether the caller's words so far sound finished, judged from a (speculative) transcript: a complete
 * sentence or question lets the agent answer after a shorter pause; words that trail off ("and", "um",
 * a comma) make it wait longer before taking the turn. Pure; text only.
 */
enum TurnCompletion {
    /** Ends like a finished sentence or question. */
    COMPLETE,
    /** Ends mid-thought: a conjunction, a filler, a comma, an ellipsis. */
    TRAILING,
    /** Nothing to go on. */
    UNKNOWN;

    private static final Set<String> TRAILING_WORDS = Set.of(
            "and", "but", "or", "so", "because", "cause", "um", "uh", "er", "erm", "hmm", "like", "then", "if",
            "the", "a", "an", "to", "of", "for", "with", "my", "our", "your", "is", "was", "that", "which", "when",
            "where", "who", "also", "maybe", "actually", "basically", "well", "just", "i", "we", "it's", "i'm");

    static TurnCompletion of(String transcript) {
        String text = transcript == null ? "" : transcript.strip();
        if (text.isEmpty()) {
            return UNKNOWN;
        }
        if (text.endsWith("...") || text.endsWith("…") || text.endsWith(",") || text.endsWith("-")
                || text.endsWith("—") || text.endsWith(";") || text.endsWith(":")) {
            return TRAILING;
        }
        String[] words = text.toLowerCase(Locale.ROOT).split("\\s+");
        String last = words[words.length - 1].replaceAll("[^a-z']", "");
        if (TRAILING_WORDS.contains(last)) {
            return TRAILING;
        }
        char end = text.charAt(text.length() - 1);
        return end == '.' || end == '?' || end == '!' ? COMPLETE : UNKNOWN;
    }
}
