package dev.voiceagent.persona;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One fact a persona wants to find out on a call, as extracted after the call.
 *
 * @param key         stable name the fact is stored and sent to the CRM under ({@code name}, {@code reason})
 * @param description what the agent should find out, in words (goes into the prompt and the extraction schema)
 */
public record FactSpec(String key, String description) {

    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]{0,39}");

    public FactSpec {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("fact key must be lower_snake_case, at most 40 characters: " + key);
        }
    }

    /** A fact given only in words: its key is made from the words ("preferred time" -> preferred_time). */
    public static FactSpec described(String description) {
        String slug = description.toLowerCase(Locale.ROOT)
                .replaceAll("'s\\b", "")
                .replaceAll("\\b(the|a|an|caller|callers|their|of|for|to)\\b", " ")
                .replaceAll("[^a-z0-9]+", "_")
                .replaceAll("^_+|_+$", "");
        if (slug.isEmpty() || !Character.isLetter(slug.charAt(0))) {
            slug = "fact_" + slug;
        }
        if (slug.length() > 40) {
            slug = slug.substring(0, 40).replaceAll("_+$", "");
        }
        return new FactSpec(slug, description.strip());
    }
}
