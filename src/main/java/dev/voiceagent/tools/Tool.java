package dev.voiceagent.tools;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One tool the model may call during a call.
 * <p>
 * {@link #run} is called on its own virtual thread by the call loop and may block (HTTP to a vendor or a webhook);
 * it must bound its own waits (its timeout) and return promptly when interrupted (the call ending). It never
 * returns {@code null}: a failure the model should talk around is {@link ToolOutcome.Failed}; an unexpected
 * exception is turned into one by the caller. Implementations are shared by every call of a persona, so they keep
 * no per-call state.
 */
public interface Tool {

    /** What the model is offered: name, description and the JSON Schema of the arguments. */
    ToolSpec spec();

    /**
     * Runs the tool with the model's {@code arguments} (a JSON object, possibly empty) for the call in
     * {@code context}.
     */
    ToolOutcome run(JsonNode arguments, ToolContext context) throws InterruptedException;
}
