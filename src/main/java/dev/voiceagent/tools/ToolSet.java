package dev.voiceagent.tools;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The tools one persona gives the agent, and what the agent says around them. Immutable; shared by every call of the
 * persona (tools keep no per-call state).
 *
 * @param tools        the tools, names unique
 * @param filler       said when a tool takes longer than a moment (the call loop's filler delay)
 * @param transferLine said before a transfer when the model said nothing itself
 * @param transferFailedLine said when a transfer could not be made (the call goes on)
 */
public record ToolSet(List<Tool> tools, String filler, String transferLine, String transferFailedLine) {

    public static final String DEFAULT_FILLER = "One moment while I check that.";
    public static final String DEFAULT_TRANSFER_LINE = "Let me put you through. One moment, please.";
    public static final String DEFAULT_TRANSFER_FAILED_LINE =
            "I'm sorry, I couldn't put you through just now. Is there anything else I can help with?";

    /** A persona without tools. */
    public static final ToolSet NONE = new ToolSet(List.of(), DEFAULT_FILLER, DEFAULT_TRANSFER_LINE,
                                                     DEFAULT_TRANSFER_FAILED_LINE);

    public ToolSet {
        tools = List.copyOf(tools);
        Objects.requireNonNull(filler, "filler");
        Objects.requireNonNull(transferLine, "transferLine");
        Objects.requireNonNull(transferFailedLine, "transferFailedLine");
        Map<String, Tool> seen = new LinkedHashMap<>();
        for (Tool t : tools) {
            if (seen.put(t.spec().name(), t) != null) {
                throw new IllegalArgumentException("two tools are called " + t.spec().name());
            }
        }
    }

    public boolean isEmpty() {
        return tools.isEmpty();
    }

    /** What the model is offered, in declaration order. */
    public List<ToolSpec> specs() {
        return tools.stream().map(Tool::spec).toList();
    }

    /** The tool the model called {@code name}, if the persona has it. */
    public Optional<Tool> byName(String name) {
        return tools.stream().filter(t -> t.spec().name().equals(name)).findFirst();
    }

    /** The phrases this set may say, to be synthesized ahead of calls (none without tools). */
    public List<String> phrases() {
        return tools.isEmpty() ? List.of() : List.of(filler, transferLine, transferFailedLine);
    }

    /** The tools' names, for logs and the persona view. */
    public List<String> names() {
        return tools.stream().map(t -> t.spec().name()).toList();
    }
}
