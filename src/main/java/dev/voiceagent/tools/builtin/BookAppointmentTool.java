package dev.voiceagent.tools.builtin;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.voiceagent.crm.Appointment;
import dev.voiceagent.crm.Calendars;
import dev.voiceagent.crm.ContactCrm;
import dev.voiceagent.crm.NewAppointment;
import dev.voiceagent.tools.Tool;
import dev.voiceagent.tools.ToolContext;
import dev.voiceagent.tools.ToolFailure;
import dev.voiceagent.tools.ToolOutcome;
import dev.voiceagent.tools.ToolSpec;
import dev.voiceagent.vendor.VendorException;

/**
 * {@code book_appointment}: books a free slot on one GoHighLevel calendar for the caller. The start must be in the
 * future and one of the calendar's free slots that day (checked with a free-slots request, so a stale or invented
 * time is refused in plain words with the day's free times); the caller's contact is upserted by phone number
 * exactly as the after-call push does; the appointment lasts {@code appointmentDuration} and is titled with the
 * reason. Three requests at most (free slots, upsert, create), each bounded; a rate limit is waited for only within
 * the budget. A call without a usable caller number cannot book ({@code UNAVAILABLE}). Stateless.
 */
public final class BookAppointmentTool implements Tool {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_TEXT = 120;
    private static final ToolSpec SPEC = new ToolSpec("book_appointment",
            "Book an appointment for the caller at a free time from check_availability. Confirm the time with the"
            + " caller first.",
            Schemas.parse("""
                    {"type":"object","properties":{
                      "start":{"type":"string","description":"The slot's start exactly as check_availability gave it"},
                      "reason":{"type":"string","description":"What the appointment is for, a few words"},
                      "name":{"type":"string","description":"The caller's full name, if they gave it"}
                    },"required":["start"],"additionalProperties":false}"""));

    private final ContactCrm contacts;
    private final Calendars calendars;
    private final String calendarId;
    private final BuiltinToolSettings settings;
    private final VendorCalls vendor;
    private final Clock clock;

    public BookAppointmentTool(ContactCrm contacts, Calendars calendars, String calendarId,
                               BuiltinToolSettings settings, Clock clock) {
        this.contacts = Objects.requireNonNull(contacts, "contacts");
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
        Optional<ZonedDateTime> parsed = Times.parse(Times.text(arguments, "start"), zone);
        if (parsed.isEmpty()) {
            return new ToolOutcome.Failed(ToolFailure.BAD_ARGUMENTS,
                    "start must be a slot's start time from check_availability, like 2026-03-03T15:00:00-06:00");
        }
        ZonedDateTime start = parsed.get();
        if (!start.toInstant().isAfter(now)) {
            return new ToolOutcome.Failed(ToolFailure.BAD_ARGUMENTS,
                    "that time has already passed; it is now " + Times.label(now.atZone(zone)));
        }
        String reason = bounded(Times.text(arguments, "reason"));
        String name = bounded(Times.text(arguments, "name"));
        Optional<String> caller = CallerContact.number(context);
        if (caller.isEmpty()) {
            return new ToolOutcome.Failed(ToolFailure.UNAVAILABLE,
                    "the caller's phone number is unknown, so an appointment cannot be booked on this call");
        }
        try {
            ZonedDateTime dayStart = start.toLocalDate().atStartOfDay(zone);
            Instant from = dayStart.toInstant().isAfter(now) ? dayStart.toInstant() : now;
            Instant to = start.toLocalDate().plusDays(1).atStartOfDay(zone).toInstant();
            List<OffsetDateTime> free = vendor.call(() -> calendars.freeSlots(calendarId, from, to, zone));
            boolean isFree = free.stream().anyMatch(slot -> slot.toInstant().equals(start.toInstant()));
            if (!isFree) {
                String others = free.stream()
                        .filter(slot -> slot.toInstant().isAfter(now))
                        .map(slot -> Times.clock(slot.atZoneSameInstant(zone)))
                        .limit(settings.maxSlots())
                        .collect(Collectors.joining(", "));
                return new ToolOutcome.Failed(ToolFailure.BAD_ARGUMENTS, Times.label(start) + " is not free"
                        + (others.isEmpty() ? "; nothing else is free that day either"
                                            : "; free times that day: " + others));
            }
            String contactId = vendor.call(() -> CallerContact.upsert(contacts, caller.get(), name));
            String title = (reason.isEmpty() ? "Appointment" : capitalized(reason)) + " (booked by phone)";
            OffsetDateTime startTime = start.toOffsetDateTime();
            OffsetDateTime endTime = start.plus(settings.appointmentDuration()).toOffsetDateTime();
            Appointment booked = vendor.call(() -> calendars.book(
                    new NewAppointment(calendarId, contactId, startTime, endTime, title)));
            ObjectNode result = JSON.createObjectNode()
                    .put("booked", true)
                    .put("appointmentId", booked.id());
            Times.slot(result, booked.start().atZoneSameInstant(zone));
            result.put("minutes", settings.appointmentDuration().toMinutes());
            return new ToolOutcome.Result(result);
        } catch (VendorException e) {
            return VendorCalls.failed(e, "the booking system");
        }
    }

    private static String bounded(String text) {
        String oneLine = text.replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_TEXT ? oneLine : oneLine.substring(0, MAX_TEXT);
    }

    private static String capitalized(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
