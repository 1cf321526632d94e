package dev.voiceagent.tts;

import java.util.Locale;

/** Why a sentence was spoken by the fallback voice instead of ElevenLabs (a metric tag). */
public enum FallbackReason {
    /** No ElevenLabs key is configured. */
    NO_PRIMARY,
    /** ElevenLabs failed this sentence (the failure itself is reported separately). */
    PRIMARY_FAILED,
    /** This call avoids ElevenLabs for this voice for a while, after a 429 or a bad voice id. */
    CALL_FAILOVER,
    /** ElevenLabs is failing as a whole: the shared circuit breaker is open. */
    BREAKER_OPEN,
    /** Every ElevenLabs slot of the plan ({@code calls.ttsMaxConcurrent}) stayed taken for the permit wait. */
    BULKHEAD_FULL;

    /** The metric tag value, e.g. {@code bulkhead_full}. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
