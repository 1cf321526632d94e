package dev.voiceagent.persona;

import java.util.Locale;
import java.util.Optional;

/**
 * How much the agent may remember of a returning caller. As a persona setting ({@code memory: full | greet | off},
 * default {@code full}) it is the most a persona allows; {@link #granted} lowers it for a caller whose number is not
 * verified, because caller ID is trivially spoofed.
 */
public enum CallerMemory {
    /** Past summaries and facts go into the prompt, and the caller is greeted by name. */
    FULL,
    /** Only a greeting by first name; nothing of past calls reaches the model. */
    GREET,
    /** The caller is treated as new. */
    OFF;

    /** The value Twilio sends when the caller's number is attested at level A and the signature verified. */
    public static final String VERIFIED_A = "TN-Validation-Passed-A";

    /**
     * What a caller gets: {@code FULL} only when the persona allows it and Twilio verified the caller ID at
     * attestation level A ({@code StirVerstat = TN-Validation-Passed-A}); any other value (B or C attestation, a
     * failed validation, {@code No-TN-Validation}, {@code NULL}, the {@code -Diverted} and {@code -Passthrough}
     * forms) or none at all caps it at {@code GREET}. {@code OFF} stays {@code OFF}. Pure.
     *
     * @param allowed     the persona's {@code memory} setting
     * @param stirVerstat Twilio's {@code StirVerstat} webhook parameter, when present
     */
    public static CallerMemory granted(CallerMemory allowed, Optional<String> stirVerstat) {
        if (allowed == OFF) {
            return OFF;
        }
        return allowed == FULL && verified(stirVerstat) ? FULL : GREET;
    }

    /** Whether {@code stirVerstat} says the caller owns the number (exactly level A, passed; surrounding space ignored). */
    public static boolean verified(Optional<String> stirVerstat) {
        return stirVerstat.map(String::strip).filter(VERIFIED_A::equals).isPresent();
    }

    /** Whether past summaries and facts may go into the prompt. */
    public boolean remembersCalls() {
        return this == FULL;
    }

    /**
     * The name to greet a returning caller with, from the stored {@code name} fact: the whole name with
     * {@code FULL}, the first word of it with {@code GREET}, none with {@code OFF}.
     */
    public Optional<String> greetingName(Optional<String> storedName) {
        Optional<String> name = storedName.map(String::strip).filter(s -> !s.isEmpty());
        return switch (this) {
            case FULL -> name;
            case GREET -> name.map(n -> n.split("\\s+")[0]);
            case OFF -> Optional.empty();
        };
    }

    /** Parses a persona file value ({@code full}, {@code greet}, {@code off}, any case). */
    static Optional<CallerMemory> parse(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "full" -> Optional.of(FULL);
            case "greet" -> Optional.of(GREET);
            case "off" -> Optional.of(OFF);
            default -> Optional.empty();
        };
    }
}
