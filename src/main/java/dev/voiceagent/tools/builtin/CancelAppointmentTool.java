package dev.voiceagent.tools.builtin;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.voiceagent.crm.Appointment;
import dev.voiceagent.crm.Calendars;
import dev.voiceagent.crm.ContactCrm;
import dev.voiceagent.tools.Tool;
import dev.voiceagent.tools.ToolContext;
import dev.voiceagent.tools.ToolFailure;
import dev.voiceagent.tools.ToolOutcome;
import dev.voiceagent.tools.ToolSpec;
import dev.voiceagent.vendor.VendorException;

/**
 * {@code cancel_appointment}: cancels one of the caller's upcoming appointments. The caller's contact is found with
 * the same upsert the after-call push uses; its appointments are listed ({@code GET /contacts/{id}/appointments}),
 * keeping those still to come and not cancelled (on the {@code calendarId} option's calendar, when given). With one,
 * or with {@code start} naming one, it is cancelled ({@code appointmentStatus: cancelled}, so the CRM keeps the
 * history); with several and no {@code start}, nothing is cancelled and the model gets the list to ask which; with
 * none, it says so. Three requests at most, each bounded. Stateless.
 */
public final class CancelAppointmentTool implements Tool {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ToolSpec SPEC = new ToolSpec("cancel_appointment",
            "Cancel the caller's upcoming appointment. If they have several, call it without start to list them,"
            + " then again with the start of the one to cancel. Confirm with the caller first.",
            Schemas.parse("""
                    {"type":"object","properties":{
                      "start":{"type":"string","description":"Start of the appointment to cancel, as listed"}
                    },"additionalProperties":false}"""));

    private final ContactCrm contacts;
    private final Calendars calendars;
    private final Optional<String> calendarId;
    private final VendorCalls vendor;
    private final Clock clock;

    /** @param calendarId only appointments on this calendar; empty for any of the caller's appointments */
    public CancelAppointmentTool(ContactCrm contacts, Calendars calendars, Optional<String> calendarId,
                                 BuiltinToolSettings settings, Clock clock) {
        this.contacts = Objects.requireNonNull(contacts, "contacts");
        this.calendars = Objects.requireNonNull(calendars, "calendars");
        this.calendarId = calendarId.map(String::strip).filter(id -> !id.isEmpty());
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
        String startText = Times.text(arguments, "start");
        Optional<ZonedDateTime> wanted = Times.parse(startText, zone);
        if (!startText.isEmpty() && wanted.isEmpty()) {
            return new ToolOutcome.Failed(ToolFailure.BAD_ARGUMENTS,
                    "start must be an appointment's start as listed, like 2026-03-03T15:00:00-06:00");
        }
        Optional<String> caller = CallerContact.number(context);
        if (caller.isEmpty()) {
            return new ToolOutcome.Failed(ToolFailure.UNAVAILABLE,
                    "the caller's phone number is unknown, so their appointments cannot be found on this call");
        }
        try {
            String contactId = vendor.call(() -> CallerContact.upsert(contacts, caller.get(), ""));
            List<Appointment> upcoming = vendor.call(() -> calendars.appointmentsOf(contactId, zone)).stream()
                    .filter(a -> !a.cancelled())
                    .filter(a -> a.start().toInstant().isAfter(now))
                    .filter(a -> calendarId.isEmpty() || calendarId.get().equals(a.calendarId()))
                    .sorted(Comparator.comparing(Appointment::start))
                    .toList();
            ObjectNode result = JSON.createObjectNode();
            if (upcoming.isEmpty()) {
                return new ToolOutcome.Result(result.put("cancelled", false)
                        .put("message", "the caller has no upcoming appointment"));
            }
            List<Appointment> chosen = wanted
                    .map(w -> upcoming.stream().filter(a -> a.start().toInstant().equals(w.toInstant())).toList())
                    .orElse(upcoming);
            if (chosen.size() != 1) {
                result.put("cancelled", false).put("message", chosen.isEmpty()
                        ? "no upcoming appointment starts then; these are the caller's upcoming appointments"
                        : "the caller has several upcoming appointments; ask which one, then call again with its start");
                ArrayNode list = result.putArray("appointments");
                upcoming.forEach(a -> Times.slot(list.addObject(), a.start().atZoneSameInstant(zone))
                        .put("title", a.title()));
                return new ToolOutcome.Result(result);
            }
            Appointment appointment = chosen.getFirst();
            vendor.call(() -> {
                calendars.cancel(appointment.id());
                return appointment.id();
            });
            result.put("cancelled", true);
            Times.slot(result, appointment.start().atZoneSameInstant(zone)).put("title", appointment.title());
            return new ToolOutcome.Result(result);
        } catch (VendorException e) {
            return VendorCalls.failed(e, "the booking system");
        }
    }
}
