package dev.voiceagent.fakes;

/**
 * A text frame from the server, as {@link ServerMessageParser} understood it.
 */
sealed interface ServerMessage {

    /** Audio to queue for playout. */
    record Media(byte[] payload) implements ServerMessage {
    }

    /** A label to echo once the audio before it has played. */
    record Mark(String name) implements ServerMessage {
    }

    /** Drop buffered audio and echo pending marks. */
    record Clear() implements ServerMessage {
    }

    /** A message Twilio would reject, and why. */
    record Invalid(String problem) implements ServerMessage {
    }
}
