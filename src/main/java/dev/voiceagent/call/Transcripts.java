package dev.voiceagent.call;

import java.util.Locale;

/** Small pure helpers on caller transcripts. */
final class Transcripts {

    private Transcripts() {
    }

    /**
     * What {@code words} says after {@code before}, compared word by word ignoring case and punctuation; all of
     * {@code words} when it does not start with {@code before}.
     */
    static String after(String before, String words) {
        String[] done = tokens(before);
        String[] all = words.strip().split("\\s+");
        if (done.length == 0 || all.length < done.length) {
            return words.strip();
        }
        for (int i = 0; i < done.length; i++) {
            if (!normalise(all[i]).equals(done[i])) {
                return words.strip();
            }
        }
        return String.join(" ", java.util.Arrays.copyOfRange(all, done.length, all.length));
    }

    private static String[] tokens(String text) {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) {
            return new String[0];
        }
        String[] parts = s.split("\\s+");
        for (int i = 0; i < parts.length; i++) {
            parts[i] = normalise(parts[i]);
        }
        return parts;
    }

    private static String normalise(String word) {
        return word.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", "");
    }
}
