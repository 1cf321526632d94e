package dev.voiceagent.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One tool the model called during a call, stored when it finished.
 *
 * @param seq        position among the call's tool calls, from 1; (callSid, seq) is unique
 * @param afterTurn  how many of the call's turns were stored when the tool was called
 * @param arguments  the model's arguments as JSON text (as sent, when they were not valid JSON)
 * @param outcome    {@code result}, {@code failed}, {@code end_call} or {@code transfer}
 * @param failure    why it failed ({@code timed_out}, {@code vendor_error}, ...), for {@code failed} only
 * @param result     what the model was given back, as JSON text
 */
public record ToolCallRecord(String callSid, int seq, int afterTurn, String tool, String arguments, String outcome,
                             Optional<String> failure, String result, Instant startedAt, long durationMs) {

    public ToolCallRecord {
        Objects.requireNonNull(callSid, "callSid");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(arguments, "arguments");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(startedAt, "startedAt");
    }
}
