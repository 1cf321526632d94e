package dev.voiceagent.tools;

import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;

/**
 * The call a tool runs for.
 *
 * @param callSid   the call's id (Twilio's CallSid; a generated id for a web-phone call)
 * @param caller    the caller's number in E.164, empty when unknown (withheld, or a web-phone call)
 * @param dialed    the number the caller dialed (ours), empty for a web-phone call
 * @param personaId the persona answering the call
 * @param timeZone  the persona's time zone, for dates and times the caller hears
 */
public record ToolContext(String callSid, Optional<String> caller, Optional<String> dialed, String personaId,
                          ZoneId timeZone) {

    public ToolContext {
        Objects.requireNonNull(callSid, "callSid");
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(dialed, "dialed");
        Objects.requireNonNull(personaId, "personaId");
        Objects.requireNonNull(timeZone, "timeZone");
    }
}
