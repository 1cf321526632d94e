package dev.voiceagent.llm;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.voiceagent.tools.ToolSpec;

/**
 * How tools and tool results are written for a Workers AI model (Workers AI function calling, "traditional" form,
 * and the OpenAI Chat Completions form of the newer models).
 * <ul>
 *     <li>{@link #LEGACY} (Meta Llama and other {@code @cf/meta}, {@code @hf/}, {@code @cf/mistral} models, whose
 *     message schema is only {@code {role, content}} with a string content): tools as
 *     {@code {"name","description","parameters"}}, every property given a {@code description} (the schema requires
 *     one); the model's call sent back as an assistant message whose content is the call as JSON
 *     ({@code {"name":…,"arguments":{…}}}), its result as {@code {"role":"tool","content":"<JSON>"}} — the documented
 *     flow.</li>
 *     <li>{@link #OPENAI} (every other model: glm, gemma, kimi, gpt-oss, …): tools as
 *     {@code {"type":"function","function":{…}}}; the call as an assistant message with {@code tool_calls}
 *     ({@code arguments} a JSON string) and the result as {@code {"role":"tool","tool_call_id","name","content"}}.</li>
 * </ul>
 */
enum ToolDialect {
    LEGACY, OPENAI;

    static ToolDialect of(String model) {
        return model.startsWith("@cf/meta/") || model.startsWith("@hf/") || model.startsWith("@cf/mistral/")
               ? LEGACY : OPENAI;
    }

    void tools(ArrayNode out, List<ToolSpec> tools) {
        for (ToolSpec spec : tools) {
            ObjectNode fn = this == LEGACY ? out.addObject() : out.addObject().put("type", "function").putObject("function");
            fn.put("name", spec.name()).put("description", spec.description());
            fn.set("parameters", this == LEGACY ? described(spec.parameters()) : spec.parameters());
        }
    }

    void messages(ArrayNode out, List<ChatMessage> messages, ObjectMapper json) {
        for (ChatMessage m : messages) {
            if (m.role() == ChatMessage.Role.ASSISTANT && !m.toolCalls().isEmpty()) {
                assistantCalls(out, m, json);
            } else if (m.role() == ChatMessage.Role.TOOL) {
                ObjectNode tool = out.addObject().put("role", "tool");
                if (this == OPENAI) {
                    tool.put("tool_call_id", m.toolCallId()).put("name", m.toolName());
                }
                tool.put("content", m.content());
            } else {
                out.addObject().put("role", m.role().wireName()).put("content", m.content());
            }
        }
    }

    private void assistantCalls(ArrayNode out, ChatMessage m, ObjectMapper json) {
        if (this == OPENAI) {
            ObjectNode a = out.addObject().put("role", "assistant").put("content", m.content());
            ArrayNode calls = a.putArray("tool_calls");
            for (ToolCall call : m.toolCalls()) {
                ObjectNode c = calls.addObject().put("id", call.id()).put("type", "function");
                c.putObject("function").put("name", call.name()).put("arguments", call.arguments().isTextual()
                        ? call.arguments().asText() : call.arguments().toString());
            }
            return;
        }
        if (!m.content().isBlank()) {
            out.addObject().put("role", "assistant").put("content", m.content());
        }
        JsonNode content;
        if (m.toolCalls().size() == 1) {
            content = written(m.toolCalls().getFirst(), json);
        } else {
            ArrayNode all = json.createArrayNode();
            m.toolCalls().forEach(c -> all.add(written(c, json)));
            content = all;
        }
        out.addObject().put("role", "assistant").put("content", content.toString());
    }

    private static JsonNode written(ToolCall call, ObjectMapper json) {
        ObjectNode c = json.createObjectNode().put("name", call.name());
        c.set("arguments", call.arguments());
        return c;
    }

    /** A copy of {@code parameters} in which every property has a description (the legacy schema needs one). */
    private static JsonNode described(JsonNode parameters) {
        if (!parameters.path("properties").isObject()) {
            ObjectNode copy = parameters.deepCopy();
            if (copy.isObject() && !copy.has("properties")) {
                copy.putObject("properties");
            }
            return copy;
        }
        ObjectNode copy = parameters.deepCopy();
        ObjectNode properties = (ObjectNode) copy.get("properties");
        for (Map.Entry<String, JsonNode> p : properties.properties()) {
            if (p.getValue().isObject() && !p.getValue().has("description")) {
                ((ObjectNode) p.getValue()).put("description", p.getKey());
            }
        }
        return copy;
    }
}
