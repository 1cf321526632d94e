package dev.voiceagent.call;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.voiceagent.llm.ChatMessage;
import dev.voiceagent.llm.ToolCall;
import dev.voiceagent.tools.Tool;
import dev.voiceagent.tools.ToolContext;
import dev.voiceagent.tools.ToolFailure;
import dev.voiceagent.tools.ToolOutcome;
import dev.voiceagent.tools.ToolSet;

/**
 * Runs the tools one model reply asked for: each on its own virtual thread, all at once, each bounded by its
 * {@link Tool#timeout()} plus a little grace. A tool that is unknown, gets malformed arguments, throws, returns
 * {@code null} or runs out of time comes back as {@link ToolOutcome.Failed}, so the model can talk around it; nothing
 * here can hold the call.
 * <p>
 * Time is the call's monotonic clock ({@link #expire}, polled by the waiting thread) and, as a safety net for runs
 * nobody waits for any more (the reply was cancelled by a barge-in and the result is delivered later), the real
 * clock. Thread-safe.
 */
final class ToolRunner {

    /** How much longer than a tool's own timeout a run may take before it is given up. */
    static final Duration GRACE = Duration.ofMillis(500);
    /** Longest result text handed to the model; a longer result is replaced by an error. */
    static final int MAX_RESULT_CHARS = 8_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One finished tool call: what it came to and when it ran. */
    record Done(ToolCall call, ToolOutcome outcome, long startedNanos, long durationNanos) {

        /** The outcome as stored and counted: {@code result}, {@code failed}, {@code end_call} or {@code transfer}. */
        String outcomeTag() {
            return switch (outcome) {
                case ToolOutcome.Result r -> "result";
                case ToolOutcome.Failed f -> "failed";
                case ToolOutcome.EndCall e -> "end_call";
                case ToolOutcome.Transfer t -> "transfer";
            };
        }

        Optional<String> failure() {
            return outcome instanceof ToolOutcome.Failed f
                   ? Optional.of(f.reason().name().toLowerCase(java.util.Locale.ROOT)) : Optional.empty();
        }

        /** What the model is given back, as JSON text. */
        String resultText() {
            String text = switch (outcome) {
                case ToolOutcome.Result r -> r.content().toString();
                case ToolOutcome.Failed f -> JSON.createObjectNode().put("error", f.message()).toString();
                case ToolOutcome.EndCall e -> "{\"ok\":true,\"note\":\"The call ends after this reply.\"}";
                case ToolOutcome.Transfer t -> "{\"ok\":true,\"note\":\"The caller is being put through to a person.\"}";
            };
            return text.length() <= MAX_RESULT_CHARS ? text
                   : "{\"error\":\"the tool's result was too large to use\"}";
        }
    }

    /** The tool calls of one model reply, running. */
    static final class Round {
        private final List<Run> runs;

        private Round(List<Run> runs) {
            this.runs = runs;
        }

        boolean allDone() {
            return runs.stream().allMatch(r -> r.outcome.isDone());
        }

        /** Gives up on every run past its limit at {@code nowNanos} (the call's clock). */
        void expire(long nowNanos) {
            runs.forEach(r -> r.expire(nowNanos));
        }

        /** The finished calls, in the order the model asked for them. Only once {@link #allDone()}. */
        List<Done> results() {
            return runs.stream().map(Run::done).toList();
        }

        /** Runs {@code then} once every call has finished (at once if they have). */
        void whenAllDone(java.util.function.Consumer<List<Done>> then) {
            CompletableFuture.allOf(runs.stream().map(r -> r.outcome).toArray(CompletableFuture[]::new))
                    .thenRun(() -> then.accept(results()));
        }
    }

    private ToolRunner() {
    }

    /** Starts every call in {@code calls} with the persona's {@code tools}. */
    static Round start(List<ToolCall> calls, ToolSet tools, ToolContext context, LongSupplier nanoTime) {
        List<Run> runs = new ArrayList<>(calls.size());
        for (ToolCall call : calls) {
            Run run = new Run(call, tools.byName(call.name()), nanoTime);
            runs.add(run);
            run.start(context);
        }
        return new Round(runs);
    }

    /** The messages that put a round into the conversation: the model's request, then each result. */
    static List<ChatMessage> exchange(String said, List<Done> done) {
        List<ChatMessage> messages = new ArrayList<>(done.size() + 1);
        messages.add(ChatMessage.toolCalls(said, done.stream().map(Done::call).toList()));
        done.forEach(d -> messages.add(ChatMessage.toolResult(d.call(), d.resultText())));
        return messages;
    }

    /** The arguments as stored: their JSON, or the text the model sent when it was not a JSON object. */
    static String argumentsText(ToolCall call) {
        JsonNode args = call.arguments();
        return args.isTextual() ? args.asText() : args.toString();
    }

    private static final class Run {
        private final ToolCall call;
        private final Optional<Tool> tool;
        private final LongSupplier nanoTime;
        private final long startedNanos;
        private final long limitNanos;
        private final CompletableFuture<ToolOutcome> outcome = new CompletableFuture<>();
        private volatile long finishedNanos;
        private volatile Thread thread;

        Run(ToolCall call, Optional<Tool> tool, LongSupplier nanoTime) {
            this.call = call;
            this.tool = tool;
            this.nanoTime = nanoTime;
            this.startedNanos = nanoTime.getAsLong();
            this.limitNanos = tool.map(Tool::timeout).orElse(Duration.ZERO).plus(GRACE).toNanos();
        }

        void start(ToolContext context) {
            if (tool.isEmpty()) {
                finish(new ToolOutcome.Failed(ToolFailure.UNKNOWN_TOOL, "there is no tool called " + call.name()));
                return;
            }
            if (!call.argumentsValid()) {
                finish(new ToolOutcome.Failed(ToolFailure.BAD_ARGUMENTS, "the arguments were not a JSON object"));
                return;
            }
            ObjectNode arguments = (ObjectNode) call.arguments().deepCopy();
            outcome.completeOnTimeout(timedOut(), limitNanos + GRACE.toNanos(), TimeUnit.NANOSECONDS)
                    .whenComplete((o, e) -> {
                        Thread t = thread;
                        if (t != null && t != Thread.currentThread()) {
                            t.interrupt();   // done (or given up): a tool still running is told to stop
                        }
                    });
            thread = Thread.ofVirtual().name("tool-" + context.callSid() + "-" + call.name()).start(() -> {
                try {
                    ToolOutcome o = tool.get().run(arguments, context);
                    finish(o != null ? o : new ToolOutcome.Failed(ToolFailure.VENDOR_ERROR, "the tool gave no answer"));
                } catch (InterruptedException e) {
                    finish(timedOut());
                } catch (RuntimeException e) {
                    finish(new ToolOutcome.Failed(ToolFailure.VENDOR_ERROR, "the tool failed"));
                }
            });
        }

        void expire(long nowNanos) {
            if (!outcome.isDone() && nowNanos - startedNanos >= limitNanos) {
                finish(timedOut());
            }
        }

        private ToolOutcome timedOut() {
            return new ToolOutcome.Failed(ToolFailure.TIMED_OUT, "the tool did not answer in time");
        }

        private void finish(ToolOutcome o) {
            long now = nanoTime.getAsLong();
            if (outcome.complete(o)) {
                finishedNanos = now;
            }
        }

        Done done() {
            ToolOutcome o = outcome.getNow(timedOut());
            long finished = finishedNanos == 0 ? nanoTime.getAsLong() : finishedNanos;
            return new Done(call, o, startedNanos, Math.max(0, finished - startedNanos));
        }
    }
}
