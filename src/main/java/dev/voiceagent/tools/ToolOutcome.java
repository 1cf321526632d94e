package dev.voiceagent.tools;

import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

/** What running a {@link Tool} came to; the call loop acts on each kind. */
public sealed interface ToolOutcome {

    /** A result for the model to answer from (stored with the call as it is). */
    record Result(JsonNode content) implements ToolOutcome {
        public Result {
            Objects.requireNonNull(content, "content");
        }
    }

    /**
     * The tool could not do it; the model gets {@code message} as an error result and talks around it. Never
     * contains secrets; may be spoken about, so it says what went wrong in plain words.
     */
    record Failed(ToolFailure reason, String message) implements ToolOutcome {
        public Failed {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }

    /** The caller should be said goodbye to and the call ended (the {@code end_call} tool). */
    record EndCall() implements ToolOutcome {
    }

    /**
     * The caller should be handed to a person: the loop says the handoff line, waits for it to play, then runs
     * {@code handoff} and, when that succeeds, ends the media stream with the transfer as the end reason.
     *
     * @param handoff       moves the live call (blocking, bounded by its own timeout)
     * @param wantsSummary  a warm transfer: the loop passes a one-sentence summary of the call to {@code handoff}
     */
    record Transfer(Handoff handoff, boolean wantsSummary, String target) implements ToolOutcome {
        public Transfer {
            Objects.requireNonNull(handoff, "handoff");
            Objects.requireNonNull(target, "target");
        }
    }

    /** Moves a live call to a person. */
    @FunctionalInterface
    interface Handoff {
        /**
         * Blocking, bounded.
         *
         * @param summary one sentence for the person who answers (empty for a cold transfer)
         * @throws dev.voiceagent.vendor.VendorException when the carrier refuses or cannot be reached
         */
        void complete(String summary) throws InterruptedException;
    }
}
