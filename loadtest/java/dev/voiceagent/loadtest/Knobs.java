package dev.voiceagent.loadtest;

import java.util.Map;

/**
 * Named settings of a load run, read from environment variables ({@code CALLS=500 TURNS=3 loadtest/run.sh}) with
 * defaults, each checked against a range so a typo fails at once instead of running a surprising test.
 */
public final class Knobs {

    private final Map<String, String> env;

    public Knobs(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The integer {@code name}, {@code dflt} when unset or blank; must lie in {@code [min, max]}. */
    public int integer(String name, int dflt, int min, int max) {
        String raw = env.getOrDefault(name, "").strip();
        int value;
        try {
            value = raw.isEmpty() ? dflt : Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + raw + "'");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    /** The string {@code name}, {@code dflt} when unset or blank. */
    public String string(String name, String dflt) {
        String raw = env.getOrDefault(name, "").strip();
        return raw.isEmpty() ? dflt : raw;
    }
}
