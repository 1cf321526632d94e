package dev.voiceagent.persona;

import java.util.Locale;
import java.util.Optional;

/**
 * What happens to keypad digits (DTMF) a caller presses, as a persona setting ({@code digits: masked | stored},
 * default {@code masked}). Logs always mask digit runs, whatever this says.
 */
public enum DigitPolicy {
    /** Digits are replaced by {@code *} in what is stored and pushed to the CRM (the model still hears them). */
    MASKED,
    /** Digits are stored and pushed as pressed. */
    STORED;

    /**
     * What of a text holding keys the caller pressed (e.g. {@code (The caller pressed: 1 2 3 #)}) may be stored and
     * pushed to the CRM: unchanged with {@code STORED}, every digit replaced by {@code *} with {@code MASKED}. Pure.
     */
    public String forRecord(String text) {
        if (this == STORED || text == null) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        text.chars().forEach(c -> out.append(c >= '0' && c <= '9' ? '*' : (char) c));
        return out.toString();
    }

    /** Parses a persona file value ({@code masked}, {@code stored}, any case). */
    static Optional<DigitPolicy> parse(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "masked" -> Optional.of(MASKED);
            case "stored" -> Optional.of(STORED);
            default -> Optional.empty();
        };
    }
}
