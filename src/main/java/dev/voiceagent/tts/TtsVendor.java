package dev.voiceagent.tts;

/** Which text-to-speech vendor produced some audio: names phrase-cache entries and metrics. */
public enum TtsVendor {
    /** The primary voice: ElevenLabs streaming TTS. */
    ELEVENLABS,
    /** The fallback voice: Deepgram Aura on Workers AI. */
    WORKERS_AI_AURA
}
