package dev.voiceagent.llm;

import java.util.List;
import java.util.Objects;

/**
 * One message of a chat conversation, as sent to the model.
 *
 * @param role       who said it
 * @param content    the words; for a {@link Role#TOOL} message, the tool's result as JSON text
 * @param toolCalls  the tools an {@link Role#ASSISTANT} message asked for (empty otherwise)
 * @param toolCallId for a {@link Role#TOOL} message, the id of the call it answers ("" otherwise)
 * @param toolName   for a {@link Role#TOOL} message, the tool's name ("" otherwise)
 */
public record ChatMessage(Role role, String content, List<ToolCall> toolCalls, String toolCallId, String toolName) {

    /** Who said it. */
    public enum Role {
        SYSTEM, USER, ASSISTANT, TOOL;

        /** The wire name used by chat APIs. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        toolCalls = List.copyOf(Objects.requireNonNull(toolCalls, "toolCalls"));
        Objects.requireNonNull(toolCallId, "toolCallId");
        Objects.requireNonNull(toolName, "toolName");
    }

    public ChatMessage(Role role, String content) {
        this(role, content, List.of(), "", "");
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

    /** The model's turn that asked for {@code calls}, with any words it said first. */
    public static ChatMessage toolCalls(String said, List<ToolCall> calls) {
        return new ChatMessage(Role.ASSISTANT, said, calls, "", "");
    }

    /** The result of {@code call}, as JSON text. */
    public static ChatMessage toolResult(ToolCall call, String resultJson) {
        return new ChatMessage(Role.TOOL, resultJson, List.of(), call.id(), call.name());
    }

    /** Whether this is part of a tool exchange (an assistant turn asking for tools, or a tool's result). */
    public boolean toolExchange() {
        return role == Role.TOOL || !toolCalls.isEmpty();
    }
}
