package dev.voiceagent.tools.builtin;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.voiceagent.crm.Calendars;
import dev.voiceagent.tools.Tool;
import dev.voiceagent.tools.ToolContext;
import dev.voiceagent.tools.ToolFailure;
import dev.voiceagent.tools.ToolOutcome;
import dev.voiceagent.tools.ToolSpec;
import dev.voiceagent.vendor.VendorException;

/**
 * {@code check_availability}: the next free start times on one GoHighLevel calendar, from the day the caller asks
 * about (default today) for {@code lookAheadDays}, in the persona's time zone. The model gets
 * {@code {"timeZone":…,"slots":[{"start":"2026-03-03T15:00:00-06:00","label":"Tuesday, March 3 at 3:00 PM"}…],
 * "moreAvailable":bool}} with at most {@code maxSlots} slots, none in the past. One free-slots request per run
 * (blocking, bounded by the client's timeout and the rate-limit budget); stateless, shared by every call.
 */
public final class CheckAvailabilityTool implements Tool {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ToolSpec SPEC = new ToolSpec("check_availability",
            "Find free appointment times. Call it before offering or booking a time. Read the labels aloud, a few at"
            + " a time; use the start values exactly when booking.",
            Schemas.parse("""
                    {"type":"object","properties":{
                      "date":{"type":"string","description":"First day to look at, YYYY-MM-DD (default: today)"}
                    },"additionalProperties":false}"""));

    private final Calendars calendars;
    private final String calendarId;
    private final BuiltinToolSettings settings;
    private final VendorCalls vendor;
    private final Clock clock;

    public CheckAvailabilityTool(Calendars calendars, String calendarId, BuiltinToolSettings settings, Clock clock) {
        this.calendars = Objects.requireNonNull(calendars, "calendars");
        this.calendarId = Objects.requireNonNull(calendarId, "calendarId").strip();
        this.settings = Objects.requireNonNull(settings, "settings");
        this.vendor = new VendorCalls(settings.maxRateLimitWait());
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    @Override
    public ToolOutcome run(JsonNode arguments, ToolContext context) throws InterruptedException {
        ZoneId zone = context.timeZone();
        Instant now = clock.instant();
        LocalDate today = now.atZone(zone).toLocalDate();
        String dateText = Times.text(arguments, "date");
        LocalDate first = today;
        if (!dateText.isEmpty()) {
            Optional<LocalDate> date = Times.date(dateText);
            if (date.isEmpty()) {
                return new ToolOutcome.Failed(ToolFailure.BAD_ARGUMENTS,
                        "date must be a day written YYYY-MM-DD, for example " + today);
            }
            if (date.get().isBefore(today)) {
                return new ToolOutcome.Failed(ToolFailure.BAD_ARGUMENTS,
                        "that day has passed; today is " + today + " (" + Times.label(now.atZone(zone)) + ")");
            }
            first = date.get();
        }
        Instant from = first.equals(today) ? now : first.atStartOfDay(zone).toInstant();
        Instant to = first.plusDays(settings.lookAheadDays()).atStartOfDay(zone).toInstant();
        List<OffsetDateTime> free;
        try {
            free = vendor.call(() -> calendars.freeSlots(calendarId, from, to, zone));
        } catch (VendorException e) {
            return VendorCalls.failed(e, "the booking calendar");
        }
        List<ZonedDateTime> upcoming = free.stream()
                .filter(slot -> slot.toInstant().isAfter(now))
                .map(slot -> slot.atZoneSameInstant(zone))
                .distinct()
                .toList();
        ObjectNode result = JSON.createObjectNode().put("timeZone", zone.getId());
        ArrayNode slots = result.putArray("slots");
        upcoming.stream().limit(settings.maxSlots()).forEach(slot -> Times.slot(slots.addObject(), slot));
        result.put("moreAvailable", upcoming.size() > settings.maxSlots());
        if (upcoming.isEmpty()) {
            result.put("message", "no free times from " + first + " for " + settings.lookAheadDays() + " days");
        }
        return new ToolOutcome.Result(result);
    }
}
