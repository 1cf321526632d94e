package dev.voiceagent.tts;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import io.helidon.faulttolerance.CircuitBreaker;
import io.helidon.faulttolerance.CircuitBreakerOpenException;

import dev.voiceagent.vendor.VendorException;

/**
 * Decides, for every sentence of every call, whether ElevenLabs (the primary voice) or Workers AI Aura (the
 * fallback) speaks it. One router is shared by all calls; each call gets its own {@link CallVoice} from
 * {@link #forCall()}.
 * <p>
 * What is shared, because it is about ElevenLabs as a whole:
 * <ul>
 *   <li>a <b>circuit breaker</b> (Helidon fault tolerance) counting only vendor-wide failures: 5xx, timeouts,
 *       network errors, cut streams and 401/403 (the key). {@value #BREAKER_VOLUME} of the last ones with
 *       {@value #BREAKER_FAILURES} failures open it; while open, every call uses the fallback at once (no waiting
 *       for a failing vendor); after {@code cooldown} one request tries ElevenLabs again (half-open) and a success
 *       closes it;</li>
 *   <li>a <b>bulkhead</b> keeping concurrent ElevenLabs requests within the plan's limit ({@code maxConcurrent},
 *       setting {@code calls.ttsMaxConcurrent}): a sentence that cannot get a permit within {@code permitWait} is
 *       spoken by the fallback. This is a {@link Semaphore} with a timed {@code tryAcquire}: Helidon's
 *       {@code Bulkhead} either refuses at once (queue length 0) or queues with no bound on the wait, and a caller
 *       must not wait unboundedly for a sentence.</li>
 * </ul>
 * What is per call ({@link CallVoice}), because it is about one call or one voice: a 429 ("too many concurrent
 * requests", "system busy") and a bad voice id (400/404/422, or an id ElevenLabs could never accept) switch only
 * that call's voice to the fallback, for {@code cooldown}.
 * <p>
 * Thread-safe. {@link CallVoice#synthesize} blocks the calling (virtual) thread for the permit wait plus the
 * vendor's own bounded request.
 */
public final class VoiceRouter {

    /** How many of the latest primary requests the breaker looks at. */
    public static final int BREAKER_VOLUME = 4;
    /** How many vendor-wide failures among them open it. */
    public static final int BREAKER_FAILURES = 3;

    private final Optional<SpeechSynthesizer> primary;
    private final SpeechSynthesizer fallback;
    private final PhraseCache phrases;
    private final Duration cooldown;
    private final Duration permitWait;
    private final LongSupplier nanoTime;
    private final Consumer<VendorException> onFailure;
    private final Consumer<FallbackReason> onFallback;
    private final Semaphore permits;
    private final int maxConcurrent;
    private final CircuitBreaker breaker;
    private final AtomicLong bulkheadRejections = new AtomicLong();
    private final AtomicLong breakerRejections = new AtomicLong();

    /** What came of trying the primary voice. */
    enum Attempt {
        /** It spoke (or the caller stopped it on purpose). */
        SPOKEN,
        /** No permit within the wait: the plan's concurrency is used up. */
        BUSY,
        /** The breaker is open (or half-open with its probe under way). */
        OPEN
    }

    /**
     * @param primary       ElevenLabs; empty when no key is configured (then the fallback always speaks)
     * @param fallback      Workers AI Aura
     * @param phrases       cached fixed phrases, keyed by the voice that produced them
     * @param cooldown      how long a call avoids a voice that failed for it, and how long the breaker stays open
     * @param maxConcurrent ElevenLabs requests allowed at once (the plan's concurrency limit), at least 1
     * @param permitWait    how long a sentence waits for one of them before the fallback speaks it
     * @param nanoTime      monotonic clock
     * @param onFailure     told of every vendor failure (metrics); must not block
     * @param onFallback    told why each sentence the fallback speaks did not go to ElevenLabs (metrics); must not
     *                      block
     */
    public VoiceRouter(Optional<SpeechSynthesizer> primary, SpeechSynthesizer fallback, PhraseCache phrases,
                       Duration cooldown, int maxConcurrent, Duration permitWait, LongSupplier nanoTime,
                       Consumer<VendorException> onFailure, Consumer<FallbackReason> onFallback) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("calls.ttsMaxConcurrent must be at least 1, not " + maxConcurrent);
        }
        this.primary = Objects.requireNonNull(primary, "primary");
        this.fallback = Objects.requireNonNull(fallback, "fallback");
        this.phrases = Objects.requireNonNull(phrases, "phrases");
        this.cooldown = cooldown;
        this.permitWait = permitWait;
        this.nanoTime = nanoTime;
        this.onFailure = onFailure;
        this.onFallback = onFallback;
        this.maxConcurrent = maxConcurrent;
        this.permits = new Semaphore(maxConcurrent, true);
        this.breaker = CircuitBreaker.builder()
                .name("elevenlabs")
                .volume(BREAKER_VOLUME)
                .errorRatio(BREAKER_FAILURES * 100 / BREAKER_VOLUME)
                .delay(cooldown)
                .successThreshold(1)
                .addApplyOn(VendorWide.class)
                .build();
    }

    /** A synthesizer for one call, with that call's own failover state. Cheap; one per call. */
    public CallVoice forCall() {
        return new CallVoice(this);
    }

    /** The phrase cache every call shares. */
    public PhraseCache phrases() {
        return phrases;
    }

    /**
     * Whether the breaker keeps every call off ElevenLabs right now (open; once half-open, one request probes the
     * vendor again while the others keep using the fallback).
     */
    public boolean breakerOpen() {
        return breaker.state() == CircuitBreaker.State.OPEN;
    }

    /** ElevenLabs requests under way now. */
    public int primaryInFlight() {
        return maxConcurrent - permits.availablePermits();
    }

    /** Sentences given to the fallback because every permit was taken, since start. */
    public long bulkheadRejections() {
        return bulkheadRejections.get();
    }

    /** Sentences given to the fallback because the breaker was open, since start. */
    public long breakerRejections() {
        return breakerRejections.get();
    }

    boolean hasPrimary() {
        return primary.isPresent();
    }

    SpeechSynthesizer fallback() {
        return fallback;
    }

    Duration cooldown() {
        return cooldown;
    }

    LongSupplier nanoTime() {
        return nanoTime;
    }

    void failed(VendorException e) {
        onFailure.accept(e);
    }

    void fellBack(FallbackReason reason) {
        onFallback.accept(reason);
    }

    /**
     * Tries the primary voice within the bulkhead and the breaker.
     *
     * @throws VendorException          a failure of this request (vendor-wide ones have been counted by the breaker)
     * @throws IllegalArgumentException a voice id ElevenLabs could never accept
     */
    Attempt tryPrimary(SpeechRequest request, SpeechSynthesizer.AudioSink sink) {
        if (primary.isEmpty()) {
            return Attempt.OPEN;
        }
        if (breaker.state() == CircuitBreaker.State.OPEN) {
            breakerRejections.incrementAndGet();
            return Attempt.OPEN;
        }
        try {
            if (!permits.tryAcquire(permitWait.toNanos(), TimeUnit.NANOSECONDS)) {
                bulkheadRejections.incrementAndGet();
                return Attempt.BUSY;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the caller stopped this sentence on purpose
            return Attempt.SPOKEN;
        }
        try {
            breaker.invoke(() -> {
                try {
                    primary.get().synthesize(request, sink);
                } catch (VendorException e) {
                    if (!Thread.currentThread().isInterrupted() && vendorWide(e)) {
                        throw new VendorWide(e);
                    }
                    throw e;
                }
                return null;
            });
            return Attempt.SPOKEN;
        } catch (CircuitBreakerOpenException e) {
            breakerRejections.incrementAndGet();
            return Attempt.OPEN;
        } catch (VendorWide e) {
            throw e.failure;
        } finally {
            permits.release();
        }
    }

    /** Failures about ElevenLabs as a whole, which the breaker counts; the rest are about one call or voice. */
    static boolean vendorWide(VendorException e) {
        return switch (e.kind()) {
            case SERVER_ERROR, TIMEOUT, NETWORK, STREAM_CUT, UNAUTHORIZED -> true;
            case RATE_LIMITED, BAD_RESPONSE, UNCONFIGURED -> false;
        };
    }

    /** Carries a vendor-wide failure through the breaker, which counts only this type. */
    private static final class VendorWide extends RuntimeException {
        private final transient VendorException failure;

        VendorWide(VendorException failure) {
            super(failure.getMessage(), failure, false, false);
            this.failure = failure;
        }
    }
}
