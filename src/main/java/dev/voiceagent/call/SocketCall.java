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
     * How long the next messages may wait in the socket, nothing the call decides hanging on them arriving promptly,
     * so the reader may take them a few at a time ({@link ReaderPacing}): the least audio, in ms, still to come
     * before the call could decide anything on it (the caller must talk a while before a barge-in, be silent a
     * while before their turn ends). 0: read every message as it comes. Reader thread, after {@link #receive}. A
     * protocol that does not listen to audio itself says 0.
     */
    default int readerMayRestMs() {
        return 0;
    }

    /**
     * The last message's place in the stream if it was a frame of caller audio: ms from the stream's start, as
     * the protocol stamps it (Twilio's {@code media.timestamp}); -1 otherwise. Reader thread, after
     * {@link #receive}.
     */
    default long lastFrameStampMillis() {
        return -1;
    }
}
