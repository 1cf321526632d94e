package dev.voiceagent.llm;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Passes a streamed model reply through token by token, as exactly as possible (spaces kept), while removing the
 * {@value SentenceSplitter#END_CALL} control token: text that could be the start of the token is held back until
 * the next delta shows whether it is, and everything after the token is dropped. Markdown emphasis characters
 * are removed, as {@link SentenceSplitter} does, because they would be read out. Not thread-safe: one reply, one
 * filter, one thread.
 */
public final class EndCallFilter {

    private static final String TOKEN = SentenceSplitter.END_CALL;
    private static final Pattern MARKDOWN = Pattern.compile("[*`~]");

    private final StringBuilder held = new StringBuilder();
    private boolean endCall;

    /** Adds a streamed delta; returns the text that may be sent now (often the delta itself, possibly empty). */
    public String accept(String delta) {
        if (endCall) {
            return "";
        }
        held.append(MARKDOWN.matcher(delta).replaceAll(""));
        int token = indexOfIgnoreCase(held, TOKEN);
        if (token >= 0) {
            endCall = true;
            String out = held.substring(0, token);
            held.setLength(0);
            return out;
        }
        int keep = 0;
        for (int k = Math.min(TOKEN.length() - 1, held.length()); k > 0; k--) {
            if (TOKEN.startsWith(held.substring(held.length() - k).toUpperCase(Locale.ROOT))) {
                keep = k;
                break;
            }
        }
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** The stream ended: what was held back, unless it was the start of the control token. */
    public String finish() {
        String rest = held.toString();
        held.setLength(0);
        int bracket = rest.lastIndexOf('[');
        if (bracket >= 0 && TOKEN.startsWith(rest.substring(bracket).toUpperCase(Locale.ROOT))) {
            rest = rest.substring(0, bracket);
        }
        return rest;
    }

    /** Whether the model asked to end the call. */
    public boolean endCallRequested() {
        return endCall;
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
