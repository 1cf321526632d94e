package dev.voiceagent.tools.builtin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The tools' JSON Schemas, written as text. */
final class Schemas {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Schemas() {
    }

    static JsonNode parse(String schema) {
        try {
            return JSON.readTree(schema);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a built-in tool's schema is not JSON", e);
        }
    }
}
