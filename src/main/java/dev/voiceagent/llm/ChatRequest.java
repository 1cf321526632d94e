package dev.voiceagent.llm;

import java.util.List;

import dev.voiceagent.tools.ToolSpec;

/**
 * A chat completion request: which model, the conversation so far, sampling limits, and the tools the model may
 * call (empty: none are offered, and the model answers in words).
 */
public record ChatRequest(String model, List<ChatMessage> messages, int maxTokens, double temperature,
                          List<ToolSpec> tools) {

    public ChatRequest {
        messages = List.copyOf(messages);
        tools = List.copyOf(tools);
    }

    public ChatRequest(String model, List<ChatMessage> messages, int maxTokens, double temperature) {
        this(model, messages, maxTokens, temperature, List.of());
    }
}
