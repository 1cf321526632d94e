package dev.voiceagent.stt;

/**
 * One open live-transcription socket. {@link #audio} is called by the call's socket reader thread for every
 * inbound frame and never blocks: audio goes through a small bounded queue to the stream's own sender thread
 * (which may batch frames into one message); when the queue is full the oldest audio is dropped and counted.
 * Once the socket drops, {@link SpeechEvent.Dropped} is delivered exactly once and further calls do nothing.
 */
public interface SpeechStream extends AutoCloseable {

    /** Caller audio, 8 kHz mu-law as Twilio sends it. Never blocks. */
    void audio(byte[] mulaw);

    /**
     * The caller paused: ask for the final words of what was heard so far now ({@code {"type":"Finalize"}} on
     * nova-3). A no-op where the model decides turns itself (Flux). Never blocks.
     */
    void finalizeNow();

    /**
     * Ends the session: {@code CloseStream}, then a close frame, bounded (about a second) in all. Idempotent.
     * No {@link SpeechEvent.Dropped} follows a close.
     */
    @Override
    void close();

    /** Seconds of audio sent so far (for the per-turn cost log). */
    double audioSeconds();

    /** {@code Finalize} messages sent so far. */
    int finalizes();
}
