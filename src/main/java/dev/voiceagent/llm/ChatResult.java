package dev.voiceagent.llm;

import java.util.List;
import java.util.Objects;

/** How a {@link LanguageModel#stream} ended; the text itself went to the sink as it arrived. */
public sealed interface ChatResult {

    /** The model answered in words, all of them handed to the sink. */
    record Answered() implements ChatResult {
    }

    /** The sink asked to stop (or the thread was interrupted): the stream was closed early. */
    record Stopped() implements ChatResult {
    }

    /**
     * The model asked for one or more tools (any words it said before that went to the sink). The caller runs
     * them and asks again with the calls and their results appended ({@link ChatMessage#toolCalls},
     * {@link ChatMessage#toolResult}).
     */
    record ToolCalls(List<ToolCall> calls) implements ChatResult {
        public ToolCalls {
            calls = List.copyOf(Objects.requireNonNull(calls, "calls"));
            if (calls.isEmpty()) {
                throw new IllegalArgumentException("no tool calls");
            }
        }
    }
}
