package dev.voiceagent.tts;

import java.util.Objects;

/**
 * The vendor and exact voice that produced some audio: everything that changes the sound. Two sources are equal
 * only when their audio is interchangeable, so cached audio of the fallback voice is never served as the primary
 * voice.
 *
 * @param vendor who synthesized it
 * @param voice  the vendor's voice and its settings, e.g. {@code 21m00Tcm4TlvDq8ikWAM|eleven_flash_v2_5|0.5|...}
 *               or an Aura speaker such as {@code asteria}
 */
public record VoiceSource(TtsVendor vendor, String voice) {

    public VoiceSource {
        Objects.requireNonNull(vendor, "vendor");
        Objects.requireNonNull(voice, "voice");
    }

    /** How ElevenLabs speaks {@code v}. */
    public static VoiceSource primary(Voice v) {
        return new VoiceSource(TtsVendor.ELEVENLABS, v.voiceId() + '|' + v.modelId() + '|' + v.stability() + '|'
                                                     + v.similarityBoost() + '|' + v.style() + '|' + v.speed());
    }

    /** How the Workers AI Aura fallback speaks {@code v}. */
    public static VoiceSource fallback(Voice v) {
        String speaker = v.fallbackSpeaker();
        return new VoiceSource(TtsVendor.WORKERS_AI_AURA,
                               speaker == null || speaker.isBlank() ? WorkersAiAuraTts.DEFAULT_SPEAKER : speaker.strip());
    }
}
