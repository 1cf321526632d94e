package dev.voiceagent.persona;

import java.util.Locale;
import java.util.Optional;

/**
 * How a persona's calls reach the server, as a persona setting ({@code transport: media-stream |
 * conversation-relay}, default {@code media-stream}).
 */
public enum Transport {
    /** Twilio Media Streams: caller audio in, our own speech-to-text, model and text-to-speech, audio out. */
    MEDIA_STREAM("media-stream"),
    /**
     * Twilio ConversationRelay: Twilio transcribes, detects turns and speaks; the server exchanges text only
     * (the persona's {@code relay:} block says which voice and recogniser Twilio uses).
     */
    CONVERSATION_RELAY("conversation-relay");

    private final String text;

    Transport(String text) {
        this.text = text;
    }

    /** The persona-file spelling, e.g. {@code conversation-relay}. */
    public String text() {
        return text;
    }

    /** Parses a persona file value (any case). */
    static Optional<Transport> parse(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        for (Transport t : values()) {
            if (t.text.equals(v)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
