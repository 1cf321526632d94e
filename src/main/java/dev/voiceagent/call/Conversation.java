package dev.voiceagent.call;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import dev.voiceagent.llm.ChatMessage;

/**
 * The conversation as the model sees it: the system prompt and what was said and heard. Only the call
 * thread touches it; replies get an immutable {@link #messages()} snapshot. Bounded, so a long call
 * does not grow the prompt (or memory) without limit.
 */
final class Conversation {

    private final String systemPrompt;
    private final int maxMessages;
    private final Deque<ChatMessage> turns = new ArrayDeque<>();

    Conversation(String systemPrompt, int maxMessages) {
        this.systemPrompt = systemPrompt;
        this.maxMessages = maxMessages;
    }

    void caller(String text) {
        add(ChatMessage.Role.USER, text);
    }

    void agent(String text) {
        add(ChatMessage.Role.ASSISTANT, text);
    }

    /**
     * A tool exchange (the model's request for tools, then each result), kept as it is: never merged with other
     * messages, and dropped whole when it falls off the front of the bounded history.
     */
    void tools(List<ChatMessage> exchange) {
        if (exchange.isEmpty()) {
            return;
        }
        turns.addAll(exchange);
        trim();
    }

    /** {@code messages} with tool exchanges left out (for a request that offers no tools). */
    static List<ChatMessage> withoutTools(List<ChatMessage> messages) {
        return messages.stream().filter(m -> !m.toolExchange()).toList();
    }

    /** System prompt plus the turns so far: an immutable snapshot. */
    List<ChatMessage> messages() {
        List<ChatMessage> out = new ArrayList<>(turns.size() + 1);
        out.add(ChatMessage.system(systemPrompt));
        out.addAll(turns);
        return List.copyOf(out);
    }

    /** {@code history} followed by the caller's new words (merged into a trailing caller message). */
    static List<ChatMessage> withCaller(List<ChatMessage> history, String callerText) {
        List<ChatMessage> out = new ArrayList<>(history);
        if (!out.isEmpty() && out.getLast().role() == ChatMessage.Role.USER && !out.getLast().toolExchange()) {
            out.add(ChatMessage.user(out.removeLast().content() + " " + callerText));
        } else {
            out.add(ChatMessage.user(callerText));
        }
        return List.copyOf(out);
    }

    private void add(ChatMessage.Role role, String text) {
        if (text.isBlank()) {
            return;
        }
        // Two messages from the same side in a row (e.g. an answer nobody heard) are merged.
        if (!turns.isEmpty() && turns.getLast().role() == role && !turns.getLast().toolExchange()) {
            text = turns.removeLast().content() + " " + text;
        }
        turns.addLast(new ChatMessage(role, text));
        trim();
    }

    /** Bounds the history; a tool result never starts it without the request it answers. */
    private void trim() {
        while (turns.size() > maxMessages) {
            turns.removeFirst();
        }
        while (!turns.isEmpty() && turns.getFirst().toolExchange()) {
            turns.removeFirst();
        }
    }
}
