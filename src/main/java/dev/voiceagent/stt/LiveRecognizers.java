package dev.voiceagent.stt;

import java.util.Optional;

/**
 * The live recognisers every call can use, by model id; empty where Workers AI is not configured.
 *
 * @param nova3 {@code @cf/deepgram/nova-3} over its WebSocket
 * @param flux  {@code @cf/deepgram/flux} over its WebSocket
 */
public record LiveRecognizers(Optional<StreamingSpeechToText> nova3, Optional<StreamingSpeechToText> flux) {

    public static LiveRecognizers none() {
        return new LiveRecognizers(Optional.empty(), Optional.empty());
    }

    /** The live recogniser for a persona's {@code stt.model}; empty for batch (Whisper) models. */
    public Optional<StreamingSpeechToText> forModel(String model) {
        return switch (model) {
            case dev.voiceagent.persona.Stt.NOVA3 -> nova3;
            case dev.voiceagent.persona.Stt.FLUX -> flux;
            default -> Optional.empty();
        };
    }
}
