package dev.voiceagent.crm;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;

import dev.voiceagent.vendor.VendorException;

/**
 * The calendar operations the booking tools need. Each is one HTTP request (blocking, bounded by the client's
 * timeout); failures are {@link VendorException}s whose kind says whether a retry can help (and, for rate limits,
 * when). Thread-safe.
 */
public interface Calendars {

    /**
     * Free start times on {@code calendarId} between {@code from} and {@code to} (at most 31 days apart), in order.
     *
     * @param zone the time zone the slots are asked for (their offsets are that zone's)
     */
    List<OffsetDateTime> freeSlots(String calendarId, Instant from, Instant to, ZoneId zone);

    /** Books an appointment; returns it as the CRM stored it. Not idempotent. */
    Appointment book(NewAppointment appointment);

    /**
     * The contact's appointments, past and future, any status.
     *
     * @param zone the zone of times the CRM gives without an offset
     */
    List<Appointment> appointmentsOf(String contactId, ZoneId zone);

    /** Marks the appointment cancelled; the CRM keeps it, with its history. Idempotent. */
    void cancel(String appointmentId);
}
