package dev.voiceagent.tts;

/**
 * How a persona sounds.
 *
 * @param voiceId         ElevenLabs voice id
 * @param modelId         ElevenLabs model id, e.g. {@code eleven_flash_v2_5}
 * @param stability       ElevenLabs voice setting, 0..1
 * @param similarityBoost ElevenLabs voice setting, 0..1
 * @param style           ElevenLabs voice setting, 0..1
 * @param speed           ElevenLabs voice setting, around 1.0
 * @param fallbackSpeaker Workers AI Aura speaker used while ElevenLabs fails, e.g. {@code asteria}
 */
public record Voice(String voiceId,
                    String modelId,
                    double stability,
                    double similarityBoost,
                    double style,
                    double speed,
                    String fallbackSpeaker) {
}
