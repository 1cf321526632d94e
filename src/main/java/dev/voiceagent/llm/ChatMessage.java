package dev.voiceagent.llm;

import java.util.Objects;

/** One message of a chat conversation, as sent to the model. */
public record ChatMessage(Role role, String content) {

    /** Who said it. */
    public enum Role {
        SYSTEM, USER, ASSISTANT;

        /** The wire name used by chat APIs. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }
}
