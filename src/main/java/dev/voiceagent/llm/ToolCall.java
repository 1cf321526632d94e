package dev.voiceagent.llm;

import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The model asking for one tool: its {@code id} (the model's own, echoed back with the result; generated when the
 * model gave none), the tool's {@code name} and its {@code arguments}. {@code arguments} is a JSON object when the
 * model sent valid JSON; anything else (a text node holding what was sent) means the arguments were malformed, and
 * the tool is not run.
 */
public record ToolCall(String id, String name, JsonNode arguments) {

    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }

    /** Whether the arguments are a JSON object (the only form a tool accepts). */
    public boolean argumentsValid() {
        return arguments.isObject();
    }
}
