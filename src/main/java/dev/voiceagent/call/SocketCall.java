package dev.voiceagent.call;

import dev.voiceagent.twilio.MalformedFrameException;

/**
 * The call one Twilio socket feeds, whichever protocol it speaks (Media Streams: {@link CallSession};
 * ConversationRelay: {@link RelaySession}). Run once on the call's own virtual thread; the other methods are called
 * by the socket's reader thread and never block.
 */
interface SocketCall extends Runnable {

    /**
     * One whole text message from Twilio, decoded and handed to the call.
     *
     * @throws MalformedFrameException when it is not a message of the protocol
     */
    void receive(String json) throws MalformedFrameException;

    /** The socket is gone. */
    void socketClosed(EndReason reason, String detail);

    /** The call's Twilio CallSid, or empty before the protocol's first message names it. */
    String callSid();

    /**
     * Whether the next messages may wait in the socket for a while, nothing the call decides hanging on them
     * arriving promptly (the caller is quiet, say), so the reader may take them a few at a time
     * ({@link ReaderPacing}). Reader thread, after {@link #receive}. A protocol that does not listen to audio itself
     * says no.
     */
    default boolean readerMayRest() {
        return false;
    }
}
