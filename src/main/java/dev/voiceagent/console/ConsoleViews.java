package dev.voiceagent.console;

import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.voiceagent.live.LiveCall;
import dev.voiceagent.live.LiveEvent;
import dev.voiceagent.observe.Redact;
import dev.voiceagent.persona.Persona;
import dev.voiceagent.persona.PersonaCatalog;
import dev.voiceagent.api.Views;
import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.DeliveryStatus;
import dev.voiceagent.store.StoredCall;
import dev.voiceagent.store.TurnRecord;

/**
 * The JSON the console's pages read. The caller's number is masked as in the logs ({@link Redact#digits}: digits
 * become {@code *}, the last 2 stay), so a screen shared or photographed does not leak it; the dialed number is the
 * business's own and is shown. Pure functions.
 */
final class ConsoleViews {

    private ConsoleViews() {
    }

    static String caller(String from) {
        return from == null || from.isBlank() ? "unknown" : Redact.digits(from);
    }

    /** One call as the call API lists it, with the caller's number masked (the console is looked at). */
    static ObjectNode call(StoredCall c, ObjectMapper json) {
        ObjectNode n = Views.call(c, json);
        n.put("from", caller(c.from()));
        return n;
    }

    static ObjectNode detail(CallDetail d, ObjectMapper json) {
        ObjectNode n = call(d.call(), json);
        ObjectNode facts = n.putObject("facts");
        d.facts().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> facts.put(e.getKey(), e.getValue()));
        ArrayNode turns = n.putArray("turns");
        for (TurnRecord t : d.turns()) {
            turn(turns.addObject(), t.seq(), t.role().sql(), t.text(), t.interrupted(), t.startedAt().toString(),
                 t.endedAt().toString(), t.timingsMs());
        }
        ArrayNode crm = n.putArray("delivery");
        for (DeliveryStatus s : d.deliveries()) {
            ObjectNode target = crm.addObject();
            target.put("target", s.target());
            target.put("status", s.status());
            target.put("attempts", s.attempts());
            s.lastError().ifPresent(e -> target.put("lastError", e));
            if (s.status().equals("pending")) {
                target.put("nextAttemptAt", s.nextAttemptAt().toString());
            }
            target.put("updatedAt", s.updatedAt().toString());
        }
        return n;
    }

    static ObjectNode started(LiveEvent.Started s, ObjectMapper json) {
        ObjectNode n = json.createObjectNode();
        n.put("callSid", s.callSid());
        n.put("persona", s.personaId());
        n.put("from", caller(s.from()));
        n.put("to", s.to());
        n.put("startedAt", s.startedAt().toString());
        return n;
    }

    static ObjectNode turn(LiveEvent.Turn t, ObjectMapper json) {
        ObjectNode n = json.createObjectNode();
        n.put("callSid", t.callSid());
        return turn(n, t.seq(), t.role(), t.text(), t.interrupted(), t.startedAt().toString(), t.endedAt().toString(),
                    t.timingsMs());
    }

    static ObjectNode ended(LiveEvent.Ended e, ObjectMapper json) {
        ObjectNode n = json.createObjectNode();
        n.put("callSid", e.callSid());
        n.put("endedAt", e.endedAt().toString());
        n.put("durationMs", e.durationMs());
        n.put("endReason", e.endReason());
        return n;
    }

    static ObjectNode snapshot(java.util.List<LiveCall> calls, ObjectMapper json) {
        ObjectNode n = json.createObjectNode();
        ArrayNode list = n.putArray("calls");
        for (LiveCall c : calls) {
            ObjectNode call = started(c.started(), json);
            ArrayNode turns = call.putArray("turns");
            c.turns().forEach(t -> turns.add(turn(t, json)));
            list.add(call);
        }
        return n;
    }

    private static ObjectNode turn(ObjectNode n, int seq, String role, String text, boolean interrupted,
                                   String startedAt, String endedAt, Map<String, Long> timings) {
        n.put("seq", seq);
        n.put("role", role);
        n.put("text", text);
        n.put("interrupted", interrupted);
        n.put("startedAt", startedAt);
        n.put("endedAt", endedAt);
        if (!timings.isEmpty()) {
            ObjectNode t = n.putObject("timingsMs");
            timings.forEach(t::put);
        }
        return n;
    }

    static ObjectNode personas(PersonaCatalog catalog, ObjectMapper json) {
        ObjectNode n = json.createObjectNode();
        String defaultId = catalog.current().defaultPersona().id();
        n.put("default", defaultId);
        n.put("file", catalog.file().toString());
        n.put("valid", catalog.lastError().isEmpty());
        catalog.lastError().ifPresent(e -> n.put("error", e));
        ArrayNode list = n.putArray("personas");
        for (Persona p : catalog.current().all()) {
            ObjectNode o = list.addObject();
            o.put("id", p.id());
            o.put("name", p.displayName());
            o.put("default", p.id().equals(defaultId));
            ArrayNode numbers = o.putArray("numbers");
            p.numbers().forEach(numbers::add);
            o.put("transport", p.transport().text());
            o.put("stt", p.stt().model());
            o.put("llm", p.llmModel());
            o.put("voice", p.voice().voiceId());
            o.put("greeting", p.greeting());
            ArrayNode collect = o.putArray("collect");
            p.collect().forEach(f -> collect.add(f.key()));
            o.put("maxCallMinutes", p.turnTaking().maxCallLength().toSeconds() / 60.0);
        }
        return n;
    }
}
