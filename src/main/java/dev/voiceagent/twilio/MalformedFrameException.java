package dev.voiceagent.twilio;

/** A Media Streams frame that is not valid JSON or lacks a field the protocol requires. */
public final class MalformedFrameException extends Exception {

    public MalformedFrameException(String message) {
        super(message);
    }
}
