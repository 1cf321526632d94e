package dev.voiceagent.stt;

/** Turns one finished caller turn into text. Implementations block the calling (virtual) thread. */
public interface SpeechToText {

    /**
     * Transcribes a whole turn.
     *
     * @param wav a complete RIFF/WAVE file, PCM 16-bit little-endian, mono, 8 kHz
     * @return the transcript; its text may be blank when the audio held no words
     * @throws dev.voiceagent.vendor.VendorException when the vendor fails
     */
    Transcript transcribe(byte[] wav);
}
