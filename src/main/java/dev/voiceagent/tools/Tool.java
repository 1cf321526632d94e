package dev.voiceagent.tools;

import java.time.Duration;

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
     * How long {@link #run} may take. The call loop gives up on the run (interrupts it and tells the model it timed
     * out) a little after this, so a tool that ignores its own bound still cannot hold the call.
     */
    default Duration timeout() {
        return Duration.ofSeconds(5);
    }

    /**
     * Runs the tool with the model's {@code arguments} (a JSON object, possibly empty) for the call in
     * {@code context}.
     */
    ToolOutcome run(JsonNode arguments, ToolContext context) throws InterruptedException;
}
