package dev.voiceagent.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.voiceagent.persona.Persona;
import dev.voiceagent.persona.TurnTaking;
import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.DeliveryStatus;
import dev.voiceagent.store.StoredCall;
import dev.voiceagent.store.ToolCallRecord;
import dev.voiceagent.store.TurnRecord;

/** The JSON shapes of the call API. Pure functions. */
public final class Views {

    private Views() {
    }

    static ObjectNode persona(Persona p, ObjectMapper json) {
        ObjectNode n = json.createObjectNode();
        n.put("id", p.id());
        n.put("name", p.displayName());
        ArrayNode numbers = n.putArray("numbers");
        p.numbers().forEach(numbers::add);
        ObjectNode voice = n.putObject("voice");
        voice.put("id", p.voice().voiceId());
        voice.put("model", p.voice().modelId());
        voice.put("fallback", p.voice().fallbackSpeaker());
        ObjectNode llm = n.putObject("llm");
        llm.put("model", p.llmModel());
        llm.put("temperature", p.temperature());
        llm.put("maxTokens", p.maxTokens());
        n.put("greeting", p.greeting());
        if (!p.returningGreeting().isBlank()) {
            n.put("returningGreeting", p.returningGreeting());
        }
        n.put("prompt", p.prompt());
        ArrayNode collect = n.putArray("collect");
        p.collect().forEach(f -> collect.addObject().put("key", f.key()).put("description", f.description()));
        n.put("endWhen", p.endWhen());
        ArrayNode tags = n.putArray("tags");
        p.tags().forEach(tags::add);
        TurnTaking t = p.turnTaking();
        ObjectNode turn = n.putObject("turnTaking");
        turn.put("endOfTurnMs", t.endOfTurn().toMillis());
        turn.put("interruptible", t.interruptible());
        turn.put("repromptAfterSeconds", t.repromptAfter().toSeconds());
        turn.put("maxCallMinutes", t.maxCallLength().toSeconds() / 60.0);
        n.put("transport", p.transport().text());
        if (!p.tools().isEmpty()) {
            ArrayNode tools = n.putArray("tools");
            p.tools().names().forEach(tools::add);
        }
        if (p.transport() == dev.voiceagent.persona.Transport.CONVERSATION_RELAY) {
            ObjectNode relay = n.putObject("relay");
            relay.put("ttsProvider", p.relay().ttsProvider());
            relay.put("voice", p.relay().voice());
            relay.put("transcriptionProvider", p.relay().transcriptionProvider());
            relay.put("speechModel", p.relay().speechModel());
            relay.put("language", p.relay().language());
            relay.put("interruptible", p.relay().interruptible().text());
            ArrayNode hints = relay.putArray("hints");
            p.relay().hints().forEach(hints::add);
        }
        return n;
    }

    /** One call as the call API lists it (numbers in full: the API is for integration). */
    public static ObjectNode call(StoredCall c, ObjectMapper json) {
        ObjectNode n = json.createObjectNode();
        n.put("callSid", c.callSid());
        n.put("channel", c.channel().sql());
        n.put("from", c.from());
        n.put("to", c.to());
        n.put("persona", c.personaId());
        n.put("status", c.status());
        n.put("startedAt", c.startedAt().toString());
        c.endedAt().ifPresent(t -> n.put("endedAt", t.toString()));
        c.durationMs().ifPresent(d -> n.put("durationMs", d));
        c.endReason().ifPresent(r -> n.put("endReason", r));
        c.sessionOutcome().ifPresent(o -> n.put("sessionOutcome", o));
        c.summary().ifPresent(s -> n.put("summary", s));
        return n;
    }

    private static com.fasterxml.jackson.databind.JsonNode parsedOrText(String text, ObjectMapper json) {
        try {
            com.fasterxml.jackson.databind.JsonNode node = json.readTree(text);
            return node == null ? json.getNodeFactory().textNode(text) : node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return json.getNodeFactory().textNode(text);
        }
    }

    static ObjectNode detail(CallDetail d, ObjectMapper json) {
        ObjectNode n = call(d.call(), json);
        n.put("streamSid", d.call().streamSid());
        ObjectNode facts = n.putObject("facts");
        d.facts().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> facts.put(e.getKey(), e.getValue()));
        ArrayNode turns = n.putArray("turns");
        for (TurnRecord t : d.turns()) {
            ObjectNode turn = turns.addObject();
            turn.put("seq", t.seq());
            turn.put("role", t.role().sql());
            turn.put("text", t.text());
            turn.put("startedAt", t.startedAt().toString());
            turn.put("endedAt", t.endedAt().toString());
            turn.put("interrupted", t.interrupted());
            if (!t.timingsMs().isEmpty()) {
                ObjectNode timings = turn.putObject("timingsMs");
                t.timingsMs().forEach(timings::put);
            }
        }
        ArrayNode tools = n.putArray("toolCalls");
        for (ToolCallRecord c : d.toolCalls()) {
            ObjectNode call = tools.addObject();
            call.put("seq", c.seq());
            call.put("afterTurn", c.afterTurn());
            call.put("tool", c.tool());
            call.set("arguments", parsedOrText(c.arguments(), json));
            call.put("outcome", c.outcome());
            c.failure().ifPresent(f -> call.put("failure", f));
            call.set("result", parsedOrText(c.result(), json));
            call.put("startedAt", c.startedAt().toString());
            call.put("durationMs", c.durationMs());
        }
        ObjectNode crm = n.putObject("delivery");
        for (DeliveryStatus s : d.deliveries()) {
            ObjectNode target = crm.putObject(s.target());
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
}
