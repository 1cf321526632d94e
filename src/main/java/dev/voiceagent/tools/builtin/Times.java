package dev.voiceagent.tools.builtin;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Dates and times as the model sends them and as the caller hears them. Pure functions. */
final class Times {

    private static final DateTimeFormatter LABEL = DateTimeFormatter.ofPattern("EEEE, MMMM d 'at' h:mm a", Locale.US);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("h:mm a", Locale.US);

    private Times() {
    }

    /**
     * A time the model gave: ISO 8601 with an offset ({@code 2026-03-03T15:00:00-06:00}), or a local date and time
     * ({@code 2026-03-03T15:00}, {@code 2026-03-03 15:00}) taken in {@code zone}. Empty when it is neither.
     */
    static Optional<ZonedDateTime> parse(String text, ZoneId zone) {
        String value = text == null ? "" : text.strip();
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(value).atZoneSameInstant(zone));
        } catch (DateTimeParseException e) {
            try {
                return Optional.of(LocalDateTime.parse(value.replace(' ', 'T')).atZone(zone));
            } catch (DateTimeParseException again) {
                return Optional.empty();
            }
        }
    }

    /** A {@code YYYY-MM-DD} date the model gave; empty when it is not one. */
    static Optional<LocalDate> date(String text) {
        try {
            return Optional.of(LocalDate.parse(text == null ? "" : text.strip()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** What the caller hears: {@code Tuesday, March 3 at 3:00 PM}. */
    static String label(ZonedDateTime time) {
        return LABEL.format(time);
    }

    /** Just the clock time: {@code 3:00 PM}. */
    static String clock(ZonedDateTime time) {
        return TIME.format(time);
    }

    /** ISO 8601 with the offset, as the model should send it back. */
    static String iso(ZonedDateTime time) {
        return time.toOffsetDateTime().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    /** {@code {"start": iso, "label": spoken}}. */
    static ObjectNode slot(ObjectNode into, ZonedDateTime time) {
        return into.put("start", iso(time)).put("label", label(time));
    }

    /** A string argument, stripped; empty when absent or not a string. */
    static String text(JsonNode arguments, String name) {
        JsonNode value = arguments == null ? null : arguments.get(name);
        return value != null && value.isTextual() ? value.asText().strip() : "";
    }
}
