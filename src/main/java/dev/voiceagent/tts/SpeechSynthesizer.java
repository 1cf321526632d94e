package dev.voiceagent.tts;

/** Turns text into 8 kHz mu-law audio, streamed. Implementations block the calling (virtual) thread. */
public interface SpeechSynthesizer {

    /**
     * Synthesizes {@code request.text()} and hands raw 8 kHz mono mu-law bytes (no container header) to
     * {@code sink} as they arrive. Returns when the audio is complete or when {@code sink} returns
     * {@code false}, in which case the response is closed at once. Interrupting the thread also ends it.
     *
     * @throws dev.voiceagent.vendor.VendorException when the vendor fails, including a stream cut midway
     */
    void synthesize(SpeechRequest request, AudioSink sink);

    /** Receives audio as it streams in; returns {@code false} to stop. */
    @FunctionalInterface
    interface AudioSink {
        boolean accept(byte[] mulaw, int offset, int length);
    }
}
