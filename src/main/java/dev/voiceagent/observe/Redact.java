package dev.voiceagent.observe;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks what a caller may have typed or said as digits (keypad PINs, card and account numbers, phone numbers) before
 * it reaches a log. Pure functions.
 * <p>
 * {@link #digits} masks every run of 3 or more digits, counting digits separated by one space or dash as one run
 * ({@code 1 2 3 4}, {@code 555-123-4567}): each digit becomes {@code *}, separators stay. A run of 7 or more digits
 * (a phone number) keeps its last 2, so an operator can still tell two callers apart. Digits that are part of a word
 * (a call sid {@code CA0f3e...}, {@code 300ms}, {@code V1}) or follow a {@code :} or {@code .} (ports, line numbers
 * in stack traces, versions) are left alone: they are identifiers, not caller data.
 */
public final class Redact {

    private static final Pattern RUN = Pattern.compile("(?<![\\p{L}\\d_:.])\\d(?:[ -]?\\d){2,}(?![\\p{L}\\d_])");
    private static final int KEEP_FROM = 7;
    private static final int KEEP = 2;

    private Redact() {
    }

    /** {@code text} with its digit runs masked (see the class comment); {@code null} stays {@code null}. */
    public static String digits(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        Matcher m = RUN.matcher(text);
        if (!m.find()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        do {
            out.append(text, at, m.start());
            String run = m.group();
            long count = run.chars().filter(Character::isDigit).count();
            long keepAfter = count >= KEEP_FROM ? count - KEEP : count;
            int seen = 0;
            for (int i = 0; i < run.length(); i++) {
                char c = run.charAt(i);
                if (Character.isDigit(c)) {
                    out.append(seen++ < keepAfter ? '*' : c);
                } else {
                    out.append(c);
                }
            }
            at = m.end();
        } while (m.find());
        return out.append(text, at, text.length()).toString();
    }

    /**
     * {@code text} with only its phone numbers masked (runs of 7 or more digits, with one space or dash allowed between
     * them, keeping the last 2), leaving shorter numbers such as HTTP statuses and vendor error codes readable: for
     * vendor error messages, which may quote the numbers of a call.
     */
    public static String phoneNumbers(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        Matcher m = RUN.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        while (m.find()) {
            String run = m.group();
            long count = run.chars().filter(Character::isDigit).count();
            if (count < KEEP_FROM) {
                continue;
            }
            out.append(text, at, m.start());
            int seen = 0;
            for (int i = 0; i < run.length(); i++) {
                char c = run.charAt(i);
                out.append(Character.isDigit(c) && seen++ < count - KEEP ? '*' : c);
            }
            at = m.end();
        }
        return out.append(text, at, text.length()).toString();
    }

    /** {@code text} with every digit masked: for values that are nothing but what the caller typed. */
    public static String allDigits(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(text.length());
        text.chars().forEach(c -> out.append(Character.isDigit(c) ? '*' : (char) c));
        return out.toString();
    }
}
