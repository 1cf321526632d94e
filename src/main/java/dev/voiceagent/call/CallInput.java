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

    /** A reply has queued all its audio (or gave up); its end mark, if any, is queued too. */
    record ReplyProduced(AgentReply reply) implements CallInput {
    }
}
