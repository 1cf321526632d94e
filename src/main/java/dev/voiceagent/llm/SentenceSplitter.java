package dev.voiceagent.llm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Cuts a streamed model reply into pieces worth sending to text-to-speech as soon as they are complete,
 * and removes the {@value #END_CALL} control token (never spoken, never stored).
 *
 * <p>The first piece may end at a comma once it is long enough, because the caller is waiting in silence
 * for it; later pieces end at sentence boundaries so prosody stays natural. Not thread-safe: one reply,
 * one splitter, one thread.
 */
public final class SentenceSplitter {

    /** The model ends the call by finishing its reply with this token. */
    public static final String END_CALL = "[END_CALL]";

    private static final int FIRST_PIECE_COMMA_MIN = 40;
    private static final int LONG_PIECE_COMMA_MIN = 160;
    private static final Set<String> ABBREVIATIONS = Set.of(
            "mr", "mrs", "ms", "dr", "st", "sr", "jr", "vs", "etc", "e.g", "i.e", "a.m", "p.m", "no", "approx");

    private static final java.util.regex.Pattern MARKDOWN = java.util.regex.Pattern.compile("[*#`~]");

    private final StringBuilder pending = new StringBuilder();
    private boolean endCall;
    private boolean emittedAny;

    /** Adds a streamed delta; returns the pieces it completed, in order (often none). */
    public List<String> accept(String delta) {
        if (endCall) {
            return List.of();
        }
        // Markdown emphasis around punctuation ("**Great!**") would hide sentence ends; it is never spoken.
        pending.append(MARKDOWN.matcher(delta).replaceAll(""));
        int token = indexOfIgnoreCase(pending, END_CALL);
        if (token >= 0) {
            pending.setLength(token);
            endCall = true;
        }
        List<String> out = new ArrayList<>(1);
        int cut;
        while ((cut = boundary()) > 0) {
            emit(pending.substring(0, cut), out);
            pending.delete(0, cut);
        }
        return out;
    }

    /** The stream ended: returns what is left (at most one piece). */
    public List<String> finish() {
        String rest = pending.toString();
        pending.setLength(0);
        // A half-written control token at the very end ("[END_CA") is never spoken.
        int bracket = rest.lastIndexOf('[');
        if (bracket >= 0 && END_CALL.startsWith(rest.substring(bracket).toUpperCase(Locale.ROOT))) {
            rest = rest.substring(0, bracket);
        }
        List<String> out = new ArrayList<>(1);
        emit(rest, out);
        return out;
    }

    /** Whether the model asked to end the call. */
    public boolean endCallRequested() {
        return endCall;
    }

    private int boundary() {
        for (int i = 0; i < pending.length() - 1; i++) {
            char c = pending.charAt(i);
            char next = pending.charAt(i + 1);
            if (c == '\n') {
                return i + 1;
            }
            if ((c == '.' || c == '!' || c == '?') && Character.isWhitespace(next) && !abbreviationEndsAt(i)) {
                return i + 2;
            }
            int commaMin = emittedAny ? LONG_PIECE_COMMA_MIN : FIRST_PIECE_COMMA_MIN;
            if ((c == ',' || c == ';' || c == ':') && Character.isWhitespace(next) && i >= commaMin) {
                return i + 2;
            }
        }
        return -1;
    }

    private boolean abbreviationEndsAt(int dot) {
        int start = dot;
        while (start > 0 && (Character.isLetter(pending.charAt(start - 1)) || pending.charAt(start - 1) == '.')) {
            start--;
        }
        return ABBREVIATIONS.contains(pending.substring(start, dot).toLowerCase(Locale.ROOT));
    }

    private void emit(String raw, List<String> out) {
        String speakable = raw.replaceAll("\\s+", " ").strip();
        if (speakable.chars().anyMatch(Character::isLetterOrDigit)) {
            out.add(speakable);
            emittedAny = true;
        }
    }

    private static int indexOfIgnoreCase(CharSequence haystack, String needle) {
        outer:
        for (int i = 0; i <= haystack.length() - needle.length(); i++) {
            for (int j = 0; j < needle.length(); j++) {
                if (Character.toUpperCase(haystack.charAt(i + j)) != needle.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
