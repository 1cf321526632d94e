package dev.voiceagent.llm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Gathers the tool calls of one model reply, from whichever form Workers AI sends them in. Lenient on purpose: the
 * streamed forms are not documented first-hand (Cloudflare's own AI SDK provider parses them like this).
 * <ul>
 *     <li>legacy, unstreamed ({@code result.tool_calls}): {@code [{"name":"x","arguments":{…}}]}, arguments an object
 *     or a JSON string, an optional {@code id};</li>
 *     <li>OpenAI-shaped, unstreamed ({@code choices[0].message.tool_calls}):
 *     {@code [{"id":"…","type":"function","function":{"name":"x","arguments":"{…}"}}]};</li>
 *     <li>streamed, native ({@code data: {"tool_calls":[…]}}) or OpenAI ({@code choices[0].delta.tool_calls}): entries
 *     with an {@code index}; the first names the call, later ones carry only argument fragments to be joined per
 *     index; a closing entry with everything null or empty is ignored. An entry without an index that names a
 *     tool is a whole new call; one that names none continues the last.</li>
 * </ul>
 * Not thread-safe: one reply, one collector.
 */
final class ToolCallCollector {

    private static final int MAX_CALLS = 8;
    private static final int MAX_ARGUMENT_CHARS = 16_384;

    private final ObjectMapper json;
    private final Map<Integer, Partial> partials = new LinkedHashMap<>();
    private int nextIndex = 1_000;   // calls without an index sort after indexed ones, in arrival order
    private Integer last;

    ToolCallCollector(ObjectMapper json) {
        this.json = json;
    }

    /** Takes any tool-call entries of a streamed chunk or a whole (unstreamed) result. */
    void take(JsonNode chunk) {
        entries(chunk.path("tool_calls"));
        JsonNode choice = chunk.path("choices").path(0);
        entries(choice.path("delta").path("tool_calls"));
        entries(choice.path("message").path("tool_calls"));
    }

    boolean any() {
        return partials.values().stream().anyMatch(p -> !p.name.isEmpty());
    }

    /** The calls, in index order; entries that never got a name are dropped. */
    List<ToolCall> calls() {
        List<ToolCall> calls = new ArrayList<>();
        int n = 0;
        for (Partial p : partials.values()) {
            n++;
            if (p.name.isEmpty()) {
                continue;
            }
            String id = p.id.isEmpty() ? "call_" + n : p.id;
            calls.add(new ToolCall(id, p.name, p.objectArguments != null ? p.objectArguments : arguments(p.text.toString())));
        }
        return calls;
    }

    private void entries(JsonNode array) {
        if (!array.isArray()) {
            return;
        }
        for (JsonNode entry : array) {
            if (entry.isObject()) {
                entry(entry);
            }
        }
    }

    private void entry(JsonNode entry) {
        JsonNode function = entry.path("function").isObject() ? entry.path("function") : entry;
        String name = text(function.path("name"));
        String id = text(entry.path("id"));
        JsonNode args = function.has("arguments") ? function.path("arguments") : function.path("parameters");
        boolean hasArgs = args.isObject() || args.isTextual() && !args.asText().isEmpty();
        if (name.isEmpty() && id.isEmpty() && !hasArgs) {
            return; // a closing ("null-finalization") entry, or padding
        }
        Integer key;
        if (entry.path("index").canConvertToInt()) {
            key = entry.path("index").asInt();
        } else if (!name.isEmpty() || last == null) {
            key = nextIndex++;
        } else {
            key = last;
        }
        if (!partials.containsKey(key) && partials.size() >= MAX_CALLS) {
            return;
        }
        Partial p = partials.computeIfAbsent(key, k -> new Partial());
        last = key;
        if (!name.isEmpty()) {
            p.name = name;
        }
        if (!id.isEmpty()) {
            p.id = id;
        }
        if (args.isObject()) {
            p.objectArguments = args;
        } else if (args.isTextual() && p.text.length() + args.asText().length() <= MAX_ARGUMENT_CHARS) {
            p.text.append(args.asText());
        }
    }

    private JsonNode arguments(String text) {
        if (text.isBlank()) {
            return json.createObjectNode();
        }
        try {
            JsonNode parsed = json.readTree(text);
            return parsed == null ? new TextNode(text) : parsed;
        } catch (JsonProcessingException e) {
            return new TextNode(text);
        }
    }

    /**
     * A reply that is only a tool call written out as text, as some models do when they stream
     * ({@code {"name":"x","arguments":{…}}}, {@code {"type":"function","name":"x","parameters":{…}}},
     * {@code {"type":"function","function":{…}}}, or an array of those) naming one of {@code offered}: its calls,
     * or empty when the text is anything else.
     */
    static List<ToolCall> writtenOut(ObjectMapper json, String text, Set<String> offered) {
        String s = text.strip();
        if (!(s.startsWith("{") || s.startsWith("["))) {
            return List.of();
        }
        JsonNode parsed;
        try {
            parsed = json.readTree(s);
        } catch (JsonProcessingException e) {
            return List.of();
        }
        ToolCallCollector collector = new ToolCallCollector(json);
        if (parsed != null && parsed.isArray()) {
            for (JsonNode item : parsed) {
                if (item.isObject()) {
                    collector.entry(item);
                }
            }
        } else if (parsed != null && parsed.isObject()) {
            collector.entry(parsed);
        }
        List<ToolCall> calls = collector.calls();
        return !calls.isEmpty() && calls.stream().allMatch(c -> offered.contains(c.name())) ? calls : List.of();
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : "";
    }

    private static final class Partial {
        String id = "";
        String name = "";
        final StringBuilder text = new StringBuilder();
        JsonNode objectArguments;
    }
}
