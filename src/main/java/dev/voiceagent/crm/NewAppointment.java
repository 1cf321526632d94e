package dev.voiceagent.crm;

import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * An appointment to book.
 *
 * @param calendarId the calendar
 * @param contactId  the contact it is for (from {@link ContactCrm#upsertContact})
 * @param start      start, with the offset the caller's time zone has then
 * @param end        end, after {@code start}
 * @param title      what the appointment is shown as in the CRM
 */
public record NewAppointment(String calendarId, String contactId, OffsetDateTime start, OffsetDateTime end,
                             String title) {

    public NewAppointment {
        Objects.requireNonNull(calendarId, "calendarId");
        Objects.requireNonNull(contactId, "contactId");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(title, "title");
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("an appointment must end after it starts");
        }
    }
}
