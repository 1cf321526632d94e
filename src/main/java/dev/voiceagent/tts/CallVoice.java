package dev.voiceagent.tts;

import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.voiceagent.vendor.VendorException;

/**
 * One call's voice, from {@link VoiceRouter#forCall()}: speaks with the primary voice (ElevenLabs) and, when that
 * fails or is unavailable, with the fallback (Workers AI Aura), so the caller keeps hearing the agent.
 * <p>
 * Failover state is this call's own, per voice: after a 429 or a bad voice id, this call skips the primary for that
 * voice for the router's cooldown, while other calls keep theirs. Vendor-wide failures (5xx, timeouts, 401) are the
 * router's circuit breaker's business and switch every call. When the primary fails midway through a sentence, the
 * whole sentence is spoken again by the fallback: the caller hears a restart rather than losing the rest.
 * <p>
 * Thread-safe (a call's reply and phrase threads may use it at once). Blocking, like every {@link SpeechSynthesizer}.
 */
public final class CallVoice implements SpeechSynthesizer {

    private final VoiceRouter router;
    /** Voice id -> monotonic time until which this call does not use the primary for it. */
    private final Map<String, Long> primaryBlockedUntil = new ConcurrentHashMap<>();

    CallVoice(VoiceRouter router) {
        this.router = router;
    }

    @Override
    public void synthesize(SpeechRequest request, AudioSink sink) {
        speak(request, sink);
    }

    /**
     * Synthesizes like {@link #synthesize} and says which voice spoke.
     *
     * @return the source of the audio given to {@code sink}
     */
    public VoiceSource speak(SpeechRequest request, AudioSink sink) {
        return speak(request, sink, () -> { });
    }

    /** {@link #speak}, running {@code beforeFallback} when the fallback is about to speak after the primary tried. */
    private VoiceSource speak(SpeechRequest request, AudioSink sink, Runnable beforeFallback) {
        Voice voice = request.voice();
        FallbackReason reason = unavailableBecause(voice);
        if (reason == null) {
            try {
                VoiceRouter.Attempt attempt = router.tryPrimary(request, sink);
                if (attempt == VoiceRouter.Attempt.SPOKEN) {
                    return VoiceSource.primary(voice);
                }
                reason = attempt == VoiceRouter.Attempt.BUSY ? FallbackReason.BULKHEAD_FULL : FallbackReason.BREAKER_OPEN;
            } catch (VendorException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                router.failed(e);
                if (!VoiceRouter.vendorWide(e)) {
                    block(voice);
                }
                reason = FallbackReason.PRIMARY_FAILED;
            } catch (IllegalArgumentException e) {
                block(voice); // a voice id ElevenLabs could never accept
                reason = FallbackReason.PRIMARY_FAILED;
            }
            beforeFallback.run();
        }
        router.fellBack(reason);
        try {
            router.fallback().synthesize(request, sink);
            return VoiceSource.fallback(voice);
        } catch (VendorException e) {
            router.failed(e);
            throw e;
        }
    }

    /** Why this call would not try the primary voice for {@code voice} now; null when it would. */
    private FallbackReason unavailableBecause(Voice voice) {
        if (!router.hasPrimary()) {
            return FallbackReason.NO_PRIMARY;
        }
        if (router.breakerOpen()) {
            return FallbackReason.BREAKER_OPEN;
        }
        Long until = primaryBlockedUntil.get(voice.voiceId());
        return until == null || router.nanoTime().getAsLong() - until >= 0 ? null : FallbackReason.CALL_FAILOVER;
    }

    /** Whether this call would try the primary voice for {@code voice} now. */
    public boolean primaryAvailable(Voice voice) {
        return unavailableBecause(voice) == null;
    }

    /**
     * The cached audio of a fixed phrase this call should play now: the primary voice's when this call uses the
     * primary voice (fallback audio is never served in its place); while it does not, the fallback voice's, or the
     * primary's if that is all there is (an apology in the persona's real voice beats silence).
     */
    public Optional<byte[]> cachedPhrase(Voice voice, String text) {
        PhraseCache phrases = router.phrases();
        Optional<byte[]> primary = phrases.get(VoiceSource.primary(voice), text);
        if (primaryAvailable(voice)) {
            return primary;
        }
        return phrases.get(VoiceSource.fallback(voice), text).or(() -> primary);
    }

    /**
     * Speaks a fixed phrase: from the cache ({@link #cachedPhrase}) when there, else synthesized and, when the sink
     * took all of it and it fits, cached under the voice that actually produced it.
     *
     * @return the source of the audio given to {@code sink}; empty when it came from the cache
     */
    public Optional<VoiceSource> speakPhrase(Voice voice, String text, AudioSink sink) {
        Optional<byte[]> cached = cachedPhrase(voice, text);
        if (cached.isPresent()) {
            sink.accept(cached.get(), 0, cached.get().length);
            return Optional.empty();
        }
        return Optional.of(synthesizePhrase(voice, text, sink));
    }

    /**
     * Synthesizes a fixed phrase (never from the cache) and, when the sink took all of it and it fits, caches it
     * under the voice that actually produced it (after a failover midway, only the fallback's complete audio).
     *
     * @return the source of the audio
     * @throws VendorException when no voice could speak it
     */
    public VoiceSource synthesizePhrase(Voice voice, String text, AudioSink sink) {
        int max = router.phrases().maxBytesPerEntry();
        ByteArrayOutputStream keep = new ByteArrayOutputStream(8192);
        boolean[] whole = {true};
        VoiceSource source = speak(SpeechRequest.of(text, voice), (b, off, len) -> {
            if (keep.size() + len <= max) {
                keep.write(b, off, len);
            } else {
                whole[0] = false;
            }
            boolean more = sink.accept(b, off, len);
            whole[0] &= more;
            return more;
        }, () -> {
            keep.reset(); // the fallback speaks the whole phrase again; keep only its audio
            whole[0] = true;
        });
        if (whole[0] && !Thread.currentThread().isInterrupted()) {
            router.phrases().put(source, text, keep.toByteArray());
        }
        return source;
    }

    private void block(Voice voice) {
        primaryBlockedUntil.put(voice.voiceId(), router.nanoTime().getAsLong() + router.cooldown().toNanos());
    }
}
