package dev.voiceagent.tts;

/**
 * One piece of text to speak with a voice. {@code previousText} is what the same reply said just before,
 * passed to vendors that use it for natural prosody across sentences; it may be empty.
 */
public record SpeechRequest(String text, Voice voice, String previousText) {

    public SpeechRequest {
        previousText = previousText == null ? "" : previousText;
    }

    public static SpeechRequest of(String text, Voice voice) {
        return new SpeechRequest(text, voice, "");
    }
}
