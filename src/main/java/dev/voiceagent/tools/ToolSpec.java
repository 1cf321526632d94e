package dev.voiceagent.tools;

import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A tool as the model sees it: its {@code name} (letters, digits, {@code _} and {@code -}), a {@code description}
 * that tells the model when to use it, and {@code parameters}, a JSON Schema object for its arguments.
 */
public record ToolSpec(String name, String description, JsonNode parameters) {

    public ToolSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(parameters, "parameters");
    }
}
