package dev.voiceagent.call;

import dev.voiceagent.stt.SpeechEvent;
import dev.voiceagent.stt.SpeechStream;
import dev.voiceagent.twilio.StreamEvent;
import dev.voiceagent.vendor.VendorException;

/** What reaches a call thread's inbox: Twilio's messages, what listening noticed, and news from the call's helpers. */
sealed interface CallInput {

    /** A decoded message from Twilio. */
    record FromTwilio(StreamEvent event) implements CallInput {
    }

    /** The socket closed (close frame seen, a send failed, or the server is shutting down). */
    record SocketClosed(EndReason reason, String detail) implements CallInput {
    }

    /** A reply has queued all its audio (or gave up); its end mark, if any, is queued too. */
    record ReplyProduced(AgentReply reply) implements CallInput {
    }

    /** The final words of the caller's turn that {@code reply} answers, once known (batch transcription). */
    record Transcribed(AgentReply reply, String words) implements CallInput {
    }

    /**
     * The tools {@code reply}'s model asked for have finished: {@code exchange} puts the request and the results into
     * the conversation, {@code done} is stored and logged. Also posted after the reply was cancelled (a barge-in
     * during a tool call), so the result is kept.
     */
    record ToolsDone(AgentReply reply, java.util.List<dev.voiceagent.llm.ChatMessage> exchange,
                     java.util.List<ToolRunner.Done> done) implements CallInput {
    }

    /** A transfer's handoff finished: the caller is with a person ({@code moved}), or it failed ({@code why}). */
    record TransferDone(boolean moved, String why) implements CallInput {
    }

    /** Input for {@link Listening}: the local detector's news ({@link Hearing}) and the live recogniser's. */
    sealed interface ForListening extends CallInput {
    }

    /**
     * The caller has been talking long enough to interrupt. {@code speechLike} is whether the level spread says
     * it is speech (line noise does not vary); posted again once if that only becomes true later.
     */
    record CallerTalking(boolean speechLike) implements ForListening {
    }

    /** The caller paused inside their turn; {@code soFar} is the turn's audio up to now. */
    record CallerPaused(byte[] soFar, int speechMs) implements ForListening {
    }

    /** The caller went on talking after the last pause. */
    record CallerResumed() implements ForListening {
    }

    /**
     * The local detector's turn is over. {@code speechLike} is false when its levels never varied (line noise).
     * {@code speechMs} is the speech in the whole turn, to compare with a pause's.
     */
    record CallerFinished(byte[] audio, int silenceMs, int speechMs, boolean speechLike, double spreadDb)
            implements ForListening {
    }

    /** An event from live recogniser stream number {@code stream}. */
    record Recognized(int stream, SpeechEvent event) implements ForListening {
    }

    /** Stream number {@code stream} is open. */
    record RecognizerOpened(int stream, SpeechStream opened) implements ForListening {
    }

    /** Stream number {@code stream} could not be opened. */
    record RecognizerFailed(int stream, VendorException error) implements ForListening {
    }
}
