package dev.voiceagent.crm;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.voiceagent.call.EndReason;
import dev.voiceagent.persona.Persona;
import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.Channel;
import dev.voiceagent.store.StoredCall;
import dev.voiceagent.store.TurnRecord;

/**
 * What a finished call looks like to the outside: the transcript, the CRM note, the tags and the webhook's
 * JSON record. Pure functions of the stored call; no I/O.
 */
public final class CallReport {

    private static final DateTimeFormatter WHEN =
            DateTimeFormatter.ofPattern("d MMM yyyy HH:mm 'UTC'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private CallReport() {
    }

    /** One line per turn: "Caller: ..." / "Agent: ...", an interrupted agent turn ending in "—". */
    public static String transcript(List<TurnRecord> turns) {
        StringBuilder t = new StringBuilder();
        for (TurnRecord turn : turns) {
            t.append(turn.role() == TurnRecord.Role.CALLER ? "Caller: " : "Agent: ").append(turn.text().strip());
            if (turn.interrupted()) {
                t.append('—');
            }
            t.append('\n');
        }
        return t.toString();
    }

    /** The CRM note: summary, facts and the full transcript. The call sid makes a note traceable to its call. */
    public static String note(CallDetail detail, Optional<Persona> persona) {
        StoredCall call = detail.call();
        StringBuilder n = new StringBuilder();
        n.append(call.channel() == Channel.WEB ? "Web phone call with " : "Phone call with ").append(persona.map(Persona::displayName).orElse(call.personaId()))
                .append(" on ").append(WHEN.format(call.startedAt()));
        call.durationMs().ifPresent(ms -> n.append(", ").append(duration(ms)));
        n.append(" (").append(outcome(call).replace('-', ' ')).append(")\n\n");
        n.append("Summary: ").append(call.summary().filter(s -> !s.isBlank()).orElse("(no summary available)"))
                .append("\n\n");
        if (!detail.facts().isEmpty()) {
            n.append("Details:\n");
            for (Map.Entry<String, String> fact : ordered(detail.facts(), persona)) {
                n.append("- ").append(fact.getKey().replace('_', ' ')).append(": ").append(fact.getValue()).append('\n');
            }
            n.append('\n');
        }
        n.append("Transcript:\n").append(transcript(detail.turns()));
        n.append("\nCall SID: ").append(call.callSid());
        return n.toString();
    }

    /** The persona's tags plus one for how the call ended, without repeats. */
    public static List<String> tags(CallDetail detail, Optional<Persona> persona) {
        Set<String> tags = new LinkedHashSet<>(persona.map(Persona::tags).orElse(List.of()));
        tags.add(outcome(detail.call()));
        return List.copyOf(tags);
    }

    /**
     * How the call ended, as a tag: {@code call-completed} (the agent wrapped up), {@code caller-hung-up},
     * {@code call-time-limit}, {@code call-transferred} (a tool handed the caller to a person), {@code call-dropped} (the server stopped mid-call) or {@code call-ended}.
     */
    public static String outcome(StoredCall call) {
        if (call.status().equals("abandoned")) {
            return "call-dropped";
        }
        return call.endReason().flatMap(EndReason::parse).map(reason -> switch (reason) {
            case AGENT_HUNG_UP -> "call-completed";
            case CALLER_HUNG_UP, SOCKET_CLOSED, MEDIA_TIMEOUT -> "caller-hung-up";
            case TIME_LIMIT -> "call-time-limit";
            case TRANSFERRED -> "call-transferred";
            case SERVER_SHUTDOWN, REJECTED, INTERRUPTED, ERROR -> "call-ended";
        }).orElse("call-ended");
    }

    /** The call record POSTed to the operator's webhook. */
    public static String webhookJson(CallDetail detail, Optional<Persona> persona, ObjectMapper json) {
        StoredCall call = detail.call();
        ObjectNode root = json.createObjectNode();
        root.put("callSid", call.callSid());
        root.put("channel", call.channel().sql());
        root.put("from", call.from());
        root.put("to", call.to());
        root.put("persona", call.personaId());
        root.put("startedAt", call.startedAt().toString());
        call.endedAt().ifPresent(t -> root.put("endedAt", t.toString()));
        call.durationMs().ifPresent(ms -> root.put("durationMs", ms));
        call.endReason().ifPresent(r -> root.put("endReason", r));
        root.put("outcome", outcome(call));
        root.put("summary", call.summary().orElse(""));
        ObjectNode facts = root.putObject("facts");
        ordered(detail.facts(), persona).forEach(f -> facts.put(f.getKey(), f.getValue()));
        ArrayNode tags = root.putArray("tags");
        tags(detail, persona).forEach(tags::add);
        ArrayNode turns = root.putArray("transcript");
        for (TurnRecord turn : detail.turns()) {
            ObjectNode t = turns.addObject();
            t.put("role", turn.role().sql());
            t.put("text", turn.text());
            t.put("at", turn.startedAt().toString());
            t.put("interrupted", turn.interrupted());
        }
        return root.toString();
    }

    /** Facts in the persona's order, then any others by key. */
    private static List<Map.Entry<String, String>> ordered(Map<String, String> facts, Optional<Persona> persona) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        persona.ifPresent(p -> p.collect().forEach(spec -> {
            String value = facts.get(spec.key());
            if (value != null) {
                out.add(Map.entry(spec.key(), value));
            }
        }));
        facts.entrySet().stream()
                .filter(e -> out.stream().noneMatch(o -> o.getKey().equals(e.getKey())))
                .sorted(Map.Entry.comparingByKey())
                .forEach(out::add);
        return out;
    }

    private static String duration(long ms) {
        Duration d = Duration.ofMillis(ms);
        return d.toMinutes() > 0 ? d.toMinutes() + " min " + d.toSecondsPart() + " s" : d.toSeconds() + " s";
    }
}
