package dev.voiceagent.tts;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import dev.voiceagent.vendor.VendorException;

/**
 * Speaks with the primary voice (ElevenLabs) and, when it fails, with the fallback (Workers AI Aura), so
 * the caller keeps hearing the agent through a vendor outage. After a failure the primary is skipped for
 * a cooldown, so every sentence does not first wait for a failing vendor.
 *
 * <p>When the primary fails midway through a sentence, the whole sentence is spoken again by the
 * fallback: the caller hears a restart rather than losing the rest of what the agent meant to say.
 */
public final class FailoverSynthesizer implements SpeechSynthesizer {

    private final Optional<SpeechSynthesizer> primary;
    private final SpeechSynthesizer fallback;
    private final long cooldownNanos;
    private final LongSupplier nanoTime;
    private final Consumer<VendorException> onFailure;
    private volatile long primaryBlockedUntil;
    private volatile boolean primaryBlocked;

    public FailoverSynthesizer(Optional<SpeechSynthesizer> primary, SpeechSynthesizer fallback, Duration cooldown,
                               LongSupplier nanoTime, Consumer<VendorException> onFailure) {
        this.primary = primary;
        this.fallback = fallback;
        this.cooldownNanos = cooldown.toNanos();
        this.nanoTime = nanoTime;
        this.onFailure = onFailure;
    }

    @Override
    public void synthesize(SpeechRequest request, AudioSink sink) {
        if (primary.isPresent() && primaryAvailable()) {
            try {
                primary.get().synthesize(request, sink);
                return;
            } catch (VendorException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                onFailure.accept(e);
                primaryBlockedUntil = nanoTime.getAsLong() + cooldownNanos;
                primaryBlocked = true;
            }
        }
        try {
            fallback.synthesize(request, sink);
        } catch (VendorException e) {
            onFailure.accept(e);
            throw e;
        }
    }

    /** Whether the primary voice is currently used (false during a cooldown after a failure). */
    public boolean primaryAvailable() {
        return !primaryBlocked || nanoTime.getAsLong() - primaryBlockedUntil >= 0;
    }
}
