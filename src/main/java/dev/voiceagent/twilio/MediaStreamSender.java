package dev.voiceagent.twilio;

/** The outbound half of one Media Streams socket: JSON text frames to Twilio. */
public interface MediaStreamSender {

    /**
     * Sends one text frame. Safe to call from any thread.
     *
     * @throws RuntimeException when the socket is gone
     */
    void send(String json);

    /** Closes the socket; a no-op if it is already closed. */
    void close(int code, String reason);
}
