package dev.voiceagent.call;

import dev.voiceagent.twilio.StreamEvent;

/** What reaches a call thread's inbox: Twilio's messages and news from the call's own helpers. */
sealed interface CallInput {

    /** A decoded message from Twilio. */
    record FromTwilio(StreamEvent event) implements CallInput {
    }

    /** The socket closed (close frame seen, or a send failed). */
    record SocketClosed(String why) implements CallInput {
    }

    /** The caller has been talking long enough, with speech-like levels, to take the floor. */
    record CallerTalking() implements CallInput {
    }

    /** The caller paused inside their turn; {@code soFar} is the turn's audio up to now. */
    record CallerPaused(byte[] soFar, int speechMs) implements CallInput {
    }

    /** The caller went on talking after the last pause. */
    record CallerResumed() implements CallInput {
    }

    /**
     * The caller's turn is over. {@code speechLike} is false when its levels never varied (line noise).
     * {@code speechMs} is the speech in the whole turn, to compare with a pause's.
     */
    record CallerFinished(byte[] audio, int silenceMs, int speechMs, boolean speechLike, double spreadDb)
            implements CallInput {
    }

    /** A reply has queued all its audio (or gave up); its end mark, if any, is queued too. */
    record ReplyProduced(AgentReply reply) implements CallInput {
    }
}
