package dev.voiceagent.persona;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import dev.voiceagent.llm.SentenceSplitter;
import dev.voiceagent.store.PastCall;

/** Builds the system prompt for a call from the persona and what is known about the call. */
public final class SystemPrompt {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.ENGLISH);
    private static final DateTimeFormatter WHEN =
            DateTimeFormatter.ofPattern("EEEE d MMMM yyyy, HH:mm zzz", Locale.ENGLISH);

    private SystemPrompt() {
    }

    public static String of(Persona persona, String callerNumber, ZonedDateTime now) {
        return of(persona, callerNumber, now, List.of());
    }

    /** As {@link #of(Persona, String, ZonedDateTime)}, for a caller with {@code history} (newest first). */
    public static String of(Persona persona, String callerNumber, ZonedDateTime now, List<PastCall> history) {
        StringBuilder p = new StringBuilder(persona.prompt().strip()).append("\n\n");
        p.append("You are speaking on the phone. Everything you write is spoken aloud by a text-to-speech voice, so: ")
                .append("answer in one to three short sentences; no lists, headings, markdown, emojis or URLs; ")
                .append("say numbers, times and dates the way a person would say them; ask one question at a time.\n");
        if (!persona.collect().isEmpty()) {
            p.append("During the call, find out: ").append(String.join("; ", persona.collect().stream().map(FactSpec::description).toList())).append(".\n");
        }
        p.append("When the caller presses phone keys you receive a message like \"(The caller pressed: 1 2 #)\".\n");
        p.append("If the caller interrupts you, the part of your message they did not hear is cut off and ends with \"—\".\n");
        if (!persona.endWhen().isBlank()) {
            p.append("End the call when: ").append(persona.endWhen().strip()).append("\n");
        }
        p.append("To end the call, say a short goodbye and finish that message with ").append(SentenceSplitter.END_CALL)
                .append(". Never write ").append(SentenceSplitter.END_CALL).append(" otherwise.\n");
        if (!history.isEmpty()) {
            p.append("This caller has called before. Notes from their last calls, newest first:\n");
            for (PastCall call : history) {
                p.append("- ").append(DAY.format(call.startedAt().atZone(now.getZone()))).append(": ")
                        .append(call.summary().strip());
                if (!call.facts().isEmpty()) {
                    p.append(" (").append(call.facts().entrySet().stream().sorted(Map.Entry.comparingByKey())
                                                 .map(e -> e.getKey() + ": " + e.getValue())
                                                 .collect(Collectors.joining("; "))).append(')');
                }
                p.append('\n');
            }
            p.append("Treat them as someone you know: use their name, do not ask again for what you already know ")
                    .append("unless it may have changed, and pick up where the last call left off if it is relevant. ")
                    .append("Never read these notes out.\n");
        }
        p.append("The caller's number is ").append(callerNumber.isBlank() ? "unknown" : callerNumber)
                .append(". It is now ").append(WHEN.format(now)).append('.');
        return p.toString();
    }
}
