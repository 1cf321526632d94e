package dev.voiceagent.crm;

import java.time.OffsetDateTime;
import java.util.Objects;
import java.util.Optional;

/**
 * An appointment on a CRM calendar, as the CRM reports it.
 *
 * @param id         the appointment's (event's) id, used to cancel it
 * @param calendarId the calendar it is on
 * @param contactId  the contact it is for
 * @param start      when it starts
 * @param end        when it ends, when the CRM said
 * @param status     {@code appointmentStatus}: {@code new}, {@code confirmed}, {@code cancelled}, {@code showed},
 *                   {@code noshow}, {@code invalid}; empty when the CRM did not say
 * @param title      its title, possibly empty
 */
public record Appointment(String id, String calendarId, String contactId, OffsetDateTime start,
                          Optional<OffsetDateTime> end, String status, String title) {

    public Appointment {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(calendarId, "calendarId");
        Objects.requireNonNull(contactId, "contactId");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(title, "title");
    }

    /** Whether it was cancelled (or marked invalid), so it no longer holds the time. */
    public boolean cancelled() {
        return status.equalsIgnoreCase("cancelled") || status.equalsIgnoreCase("canceled")
               || status.equalsIgnoreCase("invalid");
    }
}
