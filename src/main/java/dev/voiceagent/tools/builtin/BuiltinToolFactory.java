package dev.voiceagent.tools.builtin;

import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.voiceagent.crm.Calendars;
import dev.voiceagent.crm.ContactCrm;
import dev.voiceagent.tools.BuiltinTool;
import dev.voiceagent.tools.Tool;
import dev.voiceagent.twilio.CallControl;
import dev.voiceagent.twilio.TextMessages;
import dev.voiceagent.twilio.WhisperTokens;

/**
 * Builds the built-in tools a persona declares, from the declaration's options and the vendor clients given once
 * at startup. The tools it returns are stateless and shared by every call of the persona. {@code end_call} is not
 * built here (the call loop provides it). Thread-safe; never blocks.
 *
 * <p>Options (checked first by {@link BuiltinTool#problems}):
 * <ul>
 *   <li>{@code check_availability}, {@code book_appointment}: {@code calendarId} (required);</li>
 *   <li>{@code cancel_appointment}: {@code calendarId} (optional: only appointments on that calendar);</li>
 *   <li>{@code transfer_call}: {@code to} (E.164 or {@code sip:}, required), {@code mode} {@code cold} (default) or
 *   {@code warm};</li>
 *   <li>{@code send_sms}: none.</li>
 * </ul>
 * Without GoHighLevel or Twilio credentials the tools are still built; running them then fails as
 * {@code UNAVAILABLE} ("not set up"), which the model talks around.
 */
public final class BuiltinToolFactory {

    /** GoHighLevel ids are alphanumeric ({@code ocQHyuzHvysMo5N5VsXc}); anything else could leave the URL path. */
    private static final java.util.regex.Pattern CALENDAR_ID = java.util.regex.Pattern.compile("[A-Za-z0-9]{1,64}");

    private final ContactCrm contacts;
    private final Calendars calendars;
    private final CallControl calls;
    private final TextMessages messages;
    private final WhisperTokens whispers;
    private final Optional<URI> publicBaseUrl;
    private final BuiltinToolSettings settings;
    private final Clock clock;

    /**
     * @param contacts      the CRM contact upsert (the in-call {@code GoHighLevelClient}: short timeout, bounded
     *                      rate-limit wait)
     * @param calendars     GoHighLevel calendars (normally the same client)
     * @param calls         Twilio call control (the transfer's call update)
     * @param messages      Twilio Messages
     * @param whispers      seals a warm transfer's summary into the whisper URL
     * @param publicBaseUrl the origin Twilio reaches this server at; empty turns warm transfers into cold ones
     */
    public BuiltinToolFactory(ContactCrm contacts, Calendars calendars, CallControl calls, TextMessages messages,
                              WhisperTokens whispers, Optional<URI> publicBaseUrl, BuiltinToolSettings settings,
                              Clock clock) {
        this.contacts = Objects.requireNonNull(contacts, "contacts");
        this.calendars = Objects.requireNonNull(calendars, "calendars");
        this.calls = Objects.requireNonNull(calls, "calls");
        this.messages = Objects.requireNonNull(messages, "messages");
        this.whispers = Objects.requireNonNull(whispers, "whispers");
        this.publicBaseUrl = Objects.requireNonNull(publicBaseUrl, "publicBaseUrl");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Opens the whisper tokens this factory's warm transfers seal: give it to the {@code WhisperRoute}. */
    public WhisperTokens whispers() {
        return whispers;
    }

    /**
     * The tool for one declaration.
     *
     * @param options the declaration's keys other than {@code builtin}
     * @throws IllegalArgumentException for {@code END_CALL} (not built here), options {@link BuiltinTool#problems}
     *                                  rejects, or a {@code calendarId} that is not a GoHighLevel id
     */
    public Tool create(BuiltinTool kind, Map<String, String> options) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(options, "options");
        List<String> problems = kind.problems(options);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        String calendarId = options.getOrDefault("calendarId", "").strip();
        if (!calendarId.isEmpty() && !CALENDAR_ID.matcher(calendarId).matches()) {
            throw new IllegalArgumentException(kind.wireName() + " calendarId: '" + calendarId
                                               + "' is not a GoHighLevel calendar id (letters and digits)");
        }
        return switch (kind) {
            case CHECK_AVAILABILITY -> new CheckAvailabilityTool(calendars, calendarId, settings, clock);
            case BOOK_APPOINTMENT -> new BookAppointmentTool(contacts, calendars, calendarId, settings, clock);
            case CANCEL_APPOINTMENT -> new CancelAppointmentTool(contacts, calendars,
                                                                 Optional.of(calendarId).filter(id -> !id.isEmpty()),
                                                                 settings, clock);
            case TRANSFER_CALL -> new TransferCallTool(calls, whispers, publicBaseUrl, options.get("to").strip(),
                    TransferCallTool.Mode.valueOf(options.getOrDefault("mode", "cold").strip()
                                                          .toUpperCase(Locale.ROOT)));
            case SEND_SMS -> new SendSmsTool(messages, settings);
            case END_CALL -> throw new IllegalArgumentException("end_call is provided by the call loop, not built here");
        };
    }
}
