package dev.voiceagent.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The tools the server provides, enabled per persona with {@code - builtin: <name>}. The model sees each under its
 * {@linkplain #wireName() builtin name}. {@link #problems} checks a declaration's options when the persona file is
 * loaded, so a broken tool stops the edit, not a call.
 */
public enum BuiltinTool {
    /**
     * Free slots on a GoHighLevel calendar ({@code calendarId}, or {@code calendarIdEnv} naming the environment
     * variable that holds it), in the persona's time zone.
     */
    CHECK_AVAILABILITY,
    /** Books a slot on a GoHighLevel calendar ({@code calendarId} or {@code calendarIdEnv}) for the caller's contact. */
    BOOK_APPOINTMENT,
    /** Cancels the caller's appointment on GoHighLevel. */
    CANCEL_APPOINTMENT,
    /** Hands the caller to a person: {@code to} (E.164 number or {@code sip:} address), {@code mode} cold|warm. */
    TRANSFER_CALL,
    /** Texts the caller through Twilio Messages, from the dialed number. */
    SEND_SMS,
    /** Says goodbye and ends the call (as the {@code [END_CALL]} token does). */
    END_CALL;

    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");
    private static final Pattern SIP = Pattern.compile("sip:[^\\s@]+@[^\\s]+", Pattern.CASE_INSENSITIVE);

    /** The name in the persona file and the one the model sees, e.g. {@code check_availability}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The built-in called {@code wireName}, if there is one. */
    public static Optional<BuiltinTool> byWireName(String wireName) {
        for (BuiltinTool tool : values()) {
            if (tool.wireName().equals(wireName)) {
                return Optional.of(tool);
            }
        }
        return Optional.empty();
    }

    /**
     * What is wrong with {@code options} (the declaration's keys other than {@code builtin}), each a sentence
     * naming the key; empty when they are fine.
     */
    public List<String> problems(Map<String, String> options) {
        List<String> problems = new ArrayList<>();
        switch (this) {
            case CHECK_AVAILABILITY, BOOK_APPOINTMENT -> {
                boolean id = !options.getOrDefault("calendarId", "").isBlank();
                boolean fromEnv = !options.getOrDefault("calendarIdEnv", "").isBlank();
                if (!id && !fromEnv) {
                    problems.add(wireName() + " needs calendarId (the GoHighLevel calendar's id) or calendarIdEnv (the"
                                 + " environment variable that holds it)");
                } else if (id && fromEnv) {
                    problems.add(wireName() + " takes calendarId or calendarIdEnv, not both");
                }
            }
            case TRANSFER_CALL -> {
                String to = options.getOrDefault("to", "").strip();
                if (to.isEmpty()) {
                    problems.add("transfer_call needs to: an E.164 number (+15550109999) or a sip: address");
                } else if (!E164.matcher(to).matches() && !SIP.matcher(to).matches()) {
                    problems.add("transfer_call to: '" + to + "' is neither an E.164 number (+15550109999) "
                                 + "nor a sip: address (sip:desk@example.com)");
                }
                String mode = options.getOrDefault("mode", "cold").strip();
                if (!mode.equals("cold") && !mode.equals("warm")) {
                    problems.add("transfer_call mode: '" + mode + "' must be cold or warm");
                }
            }
            case CANCEL_APPOINTMENT, SEND_SMS, END_CALL -> {
            }
        }
        return problems;
    }
}
