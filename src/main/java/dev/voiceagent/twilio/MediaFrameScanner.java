package dev.voiceagent.twilio;

/**
 * Reads the one message Twilio sends 50 times a second per call, {@code media}, straight from the frame's
 * characters: no JSON parser, no tree, no intermediate strings for the payload (base64 is decoded from the frame
 * into the audio array). Pure and stateless.
 *
 * <p>It only ever answers for the plain, documented shape: a JSON object whose {@code event} is {@code "media"},
 * with a non-empty {@code streamSid} string and a {@code media} object whose {@code payload} is canonical base64
 * (padded, no line breaks), {@code track} a string, {@code chunk} and {@code timestamp} integers or strings of
 * digits; other top-level fields (such as {@code sequenceNumber}) may hold strings, numbers, {@code true},
 * {@code false} or {@code null}. Anything else (another event, a missing or odd field, an escape sequence, a
 * nested value it does not expect, trailing text, bad base64) makes it return {@code null}, and the caller decodes
 * the frame with the full codec, which gives the precise error. So it never accepts what the full codec would
 * refuse, and never decodes a frame differently.
 */
final class MediaFrameScanner {

    private static final byte[] BASE64 = new byte[128];
    /** Field names and values of every media frame, returned as these constants instead of copies. */
    private static final String[] KNOWN = {"event", "media", "streamSid", "sequenceNumber", "payload", "track",
        "chunk", "timestamp", "inbound"};

    static {
        java.util.Arrays.fill(BASE64, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            BASE64[alphabet.charAt(i)] = (byte) i;
        }
    }

    private final String s;
    private int i;
    private String event;
    private String streamSid;
    private String track = "inbound";
    private long chunk = -1;
    private long timestamp = -1;
    private byte[] payload;

    private MediaFrameScanner(String s) {
        this.s = s;
    }

    /** The frame as a {@code media} event, or null when the full codec must decode it. */
    static StreamEvent.Media scan(String frame) {
        MediaFrameScanner scanner = new MediaFrameScanner(frame);
        try {
            return scanner.frame() ? scanner.result() : null;
        } catch (IndexOutOfBoundsException e) {
            return null;   // the frame ended mid-value
        }
    }

    private StreamEvent.Media result() {
        if (!"media".equals(event) || streamSid == null || streamSid.isEmpty() || payload == null) {
            return null;
        }
        return new StreamEvent.Media(streamSid, track, chunk, timestamp, payload);
    }

    private boolean frame() {
        skipSpace();
        if (s.charAt(i++) != '{') {
            return false;
        }
        skipSpace();
        if (s.charAt(i) == '}') {
            return false;   // no event
        }
        while (true) {
            String name = string();
            if (name == null || !colon()) {
                return false;
            }
            boolean ok = switch (name) {
                case "event" -> (event = string()) != null;
                case "streamSid" -> (streamSid = string()) != null;
                case "media" -> media();
                default -> scalar();
            };
            if (!ok) {
                return false;
            }
            skipSpace();
            char c = s.charAt(i++);
            if (c == '}') {
                skipSpace();
                return i == s.length();
            }
            if (c != ',') {
                return false;
            }
            skipSpace();
        }
    }

    private boolean media() {
        skipSpace();
        if (s.charAt(i++) != '{') {
            return false;
        }
        skipSpace();
        if (s.charAt(i) == '}') {
            i++;
            return true;   // no payload: result() defers
        }
        while (true) {
            String name = string();
            if (name == null || !colon()) {
                return false;
            }
            boolean ok = switch (name) {
                case "payload" -> payload();
                case "track" -> (track = string()) != null;
                case "chunk" -> (chunk = integer()) != Long.MIN_VALUE;
                case "timestamp" -> (timestamp = integer()) != Long.MIN_VALUE;
                default -> scalar();
            };
            if (!ok) {
                return false;
            }
            skipSpace();
            char c = s.charAt(i++);
            if (c == '}') {
                return true;
            }
            if (c != ',') {
                return false;
            }
            skipSpace();
        }
    }

    /**
     * A string without escapes or control characters; null otherwise. One of the names and values every frame
     * repeats comes back as its constant rather than a copy, so a frame costs one new string (its stream SID).
     */
    private String string() {
        int end = endOfString();
        if (end < 0) {
            return null;
        }
        int start = i + 1;
        i = end + 1;
        for (String known : KNOWN) {
            if (known.length() == end - start && s.regionMatches(start, known, 0, known.length())) {
                return known;
            }
        }
        return s.substring(start, end);
    }

    /** Steps over a string {@link #string()} would accept, without copying it. */
    private boolean skipString() {
        int end = endOfString();
        i = end + 1;
        return end >= 0;
    }

    /** Where the plain string starting here ends (its closing quote), or -1 if none starts here or it has escapes. */
    private int endOfString() {
        if (s.charAt(i) != '"') {
            return -1;
        }
        for (int j = i + 1; ; j++) {
            char c = s.charAt(j);
            if (c == '"') {
                return j;
            }
            if (c == '\\' || c < 0x20) {
                return -1;
            }
        }
    }

    private boolean colon() {
        skipSpace();
        if (s.charAt(i++) != ':') {
            return false;
        }
        skipSpace();
        return true;
    }

    /** A value this reader does not need: a plain string, a number, true, false or null. */
    private boolean scalar() {
        char c = s.charAt(i);
        if (c == '"') {
            return skipString();
        }
        if (c == '-' || c >= '0' && c <= '9') {
            int start = i;
            while (i < s.length() && "+-.eE0123456789".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            // Only plain integers and decimals are taken as numbers here; let the full codec judge the rest.
            return isNumber(s, start, i);
        }
        return literal("true") || literal("false") || literal("null");
    }

    private boolean literal(String word) {
        if (s.startsWith(word, i)) {
            i += word.length();
            return true;
        }
        return false;
    }

    /** chunk and timestamp: Twilio sends strings of digits; plain JSON integers are accepted too. */
    private long integer() {
        boolean quoted = s.charAt(i) == '"';
        if (quoted) {
            i++;
        }
        int start = i;
        long value = 0;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 18) {
            value = value * 10 + (s.charAt(i++) - '0');
        }
        if (i == start || !quoted && s.charAt(start) == '0' && i - start > 1 || quoted && s.charAt(i++) != '"') {
            return Long.MIN_VALUE;
        }
        char next = s.charAt(i);
        return next == ',' || next == '}' || next == ' ' || next == '\t' || next == '\r' || next == '\n'
                ? value : Long.MIN_VALUE;
    }

    /** The payload: canonical base64 decoded straight into the audio array. */
    private boolean payload() {
        if (s.charAt(i) != '"') {
            return false;
        }
        int start = ++i;
        int end = s.indexOf('"', start);
        if (end < 0) {
            return false;
        }
        i = end + 1;
        payload = decodeBase64(s, start, end);
        return payload != null;
    }

    /** Decodes padded base64 from {@code text[start, end)}, or null when it is empty or not canonical. */
    static byte[] decodeBase64(String text, int start, int end) {
        int length = end - start;
        if (length == 0 || length % 4 != 0) {
            return null;
        }
        int pad = text.charAt(end - 1) == '=' ? (text.charAt(end - 2) == '=' ? 2 : 1) : 0;
        byte[] out = new byte[length / 4 * 3 - pad];
        int o = 0;
        int full = end - (pad == 0 ? 0 : 4);
        int p = start;
        for (; p < full; p += 4) {
            int a = sextet(text.charAt(p));
            int b = sextet(text.charAt(p + 1));
            int c = sextet(text.charAt(p + 2));
            int d = sextet(text.charAt(p + 3));
            if ((a | b | c | d) < 0) {
                return null;
            }
            int bits = a << 18 | b << 12 | c << 6 | d;
            out[o++] = (byte) (bits >> 16);
            out[o++] = (byte) (bits >> 8);
            out[o++] = (byte) bits;
        }
        if (pad > 0) {
            int a = sextet(text.charAt(p));
            int b = sextet(text.charAt(p + 1));
            int c = pad == 1 ? sextet(text.charAt(p + 2)) : 0;
            if ((a | b | c) < 0) {
                return null;
            }
            int bits = a << 18 | b << 12 | c << 6;
            out[o++] = (byte) (bits >> 16);
            if (pad == 1) {
                out[o] = (byte) (bits >> 8);
            }
        }
        return out;
    }

    /** The 6-bit value of a base64 character, or -1. */
    private static int sextet(char c) {
        return c < 128 ? BASE64[c] : -1;
    }

    private static boolean isNumber(String s, int start, int end) {
        int p = start;
        if (p < end && s.charAt(p) == '-') {
            p++;
        }
        int digits = p;
        while (p < end && Character.isDigit(s.charAt(p))) {
            p++;
        }
        if (p == digits || s.charAt(digits) == '0' && p - digits > 1) {
            return false;
        }
        if (p < end && s.charAt(p) == '.') {
            int fraction = ++p;
            while (p < end && Character.isDigit(s.charAt(p))) {
                p++;
            }
            if (p == fraction) {
                return false;
            }
        }
        return p == end;
    }

    private void skipSpace() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            i++;
        }
    }
}
