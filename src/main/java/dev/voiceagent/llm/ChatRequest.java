package dev.voiceagent.llm;

import java.util.List;

/** A chat completion request: which model, the conversation so far, and sampling limits. */
public record ChatRequest(String model, List<ChatMessage> messages, int maxTokens, double temperature) {

    public ChatRequest {
        messages = List.copyOf(messages);
    }
}
