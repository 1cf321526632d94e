package dev.voiceagent.tts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import dev.voiceagent.persona.Persona;
import dev.voiceagent.persona.PersonaCatalog;
import dev.voiceagent.persona.Personas;
import dev.voiceagent.vendor.VendorException;

/**
 * Keeps every persona's fixed phrases (greeting, reprompt, goodbye, apology) synthesized in the
 * {@link PhraseCache}, so the first caller hears the greeting without waiting for text-to-speech and an apology is
 * ready before any vendor fails.
 * <ul>
 *   <li>At start, and again after every accepted personas edit ({@link PersonaCatalog#onChange}), the phrases of the
 *       personas in force are warmed.</li>
 *   <li>A phrase is warm when the cache holds it in the persona's primary voice (ElevenLabs), or in the fallback
 *       voice when no ElevenLabs key is configured. When a vendor was down, the round is retried after
 *       {@code firstRetry}, doubling up to {@code maxRetry}, at most {@code maxRounds} rounds per personas version;
 *       meanwhile whatever the fallback produced is cached under the fallback voice (so an apology still plays).</li>
 * </ul>
 * One background virtual thread; each round synthesizes its phrases in parallel on virtual threads, each bounded by
 * the vendors' own timeouts, and the whole round by {@value #ROUND_LIMIT_SECONDS} s. {@link #close()} stops it.
 */
public final class PhraseWarmer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PhraseWarmer.class.getName());
    private static final int ROUND_LIMIT_SECONDS = 60;

    private final Thread loop;
    private final BlockingQueue<Boolean> changed = new ArrayBlockingQueue<>(1);
    private volatile int rounds;

    private PhraseWarmer(PersonaCatalog catalog, VoiceRouter voices, boolean primaryConfigured, Duration firstRetry,
                         Duration maxRetry, int maxRounds) {
        this.loop = catalog == null ? null : Thread.ofVirtual().name("phrase-warmer").unstarted(
                () -> run(catalog, voices, primaryConfigured, firstRetry, maxRetry, maxRounds));
    }

    /** A warmer that does nothing (no vendor to warm with). */
    public static PhraseWarmer none() {
        return new PhraseWarmer(null, null, false, Duration.ZERO, Duration.ZERO, 0);
    }

    /**
     * Starts warming the personas of {@code catalog} now and after each of its edits.
     *
     * @param primaryConfigured whether an ElevenLabs key is configured (then only its audio counts as warm)
     */
    public static PhraseWarmer start(PersonaCatalog catalog, VoiceRouter voices, boolean primaryConfigured,
                                     Duration firstRetry, Duration maxRetry, int maxRounds) {
        PhraseWarmer warmer = new PhraseWarmer(catalog, voices, primaryConfigured, firstRetry, maxRetry, maxRounds);
        catalog.onChange(() -> warmer.changed.offer(Boolean.TRUE));
        warmer.loop.start();
        return warmer;
    }

    /** Rounds run so far (each tries every phrase not yet warm); for tests and logs. */
    public int rounds() {
        return rounds;
    }

    private void run(PersonaCatalog catalog, VoiceRouter voices, boolean primaryConfigured, Duration firstRetry,
                     Duration maxRetry, int maxRounds) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Personas target = catalog.current();
                Duration delay = firstRetry;
                boolean edited = false;
                for (int round = 1; round <= maxRounds && !edited; round++) {
                    int cold = warmRound(target, voices, primaryConfigured);
                    rounds++;
                    if (cold == 0) {
                        break;
                    }
                    if (round == maxRounds) {
                        LOG.warning(cold + " phrase(s) still not synthesized in the persona's voice after " + round
                                    + " round(s); trying again after the next personas edit");
                        break;
                    }
                    LOG.info(cold + " phrase(s) not synthesized in the persona's voice yet; retrying in "
                             + delay.toMillis() + " ms");
                    edited = changed.poll(delay.toMillis(), TimeUnit.MILLISECONDS) != null;
                    delay = delay.multipliedBy(2).compareTo(maxRetry) > 0 ? maxRetry : delay.multipliedBy(2);
                }
                if (!edited) {
                    changed.take();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One attempt at every phrase not yet warm; returns how many are still not. */
    private static int warmRound(Personas personas, VoiceRouter voices, boolean primaryConfigured)
            throws InterruptedException {
        CallVoice voice = voices.forCall(); // fresh per round: no failover state carried over from a failed round
        PhraseCache cache = voices.phrases();
        List<Thread> workers = new ArrayList<>();
        for (Persona p : personas.all()) {
            for (String phrase : phrases(p)) {
                if (cache.get(wanted(p, primaryConfigured), phrase).isEmpty()) {
                    workers.add(Thread.ofVirtual().name("phrase-warm-" + p.id()).start(() -> warm(p, phrase, voice)));
                }
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ROUND_LIMIT_SECONDS);
        for (Thread w : workers) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !w.join(Duration.ofNanos(left))) {
                w.interrupt();
            }
        }
        int cold = 0;
        for (Persona p : personas.all()) {
            for (String phrase : phrases(p)) {
                if (cache.get(wanted(p, primaryConfigured), phrase).isEmpty()) {
                    cold++;
                }
            }
        }
        return cold;
    }

    /** The voice a persona's phrases should be cached in. */
    private static VoiceSource wanted(Persona p, boolean primaryConfigured) {
        return primaryConfigured ? VoiceSource.primary(p.voice()) : VoiceSource.fallback(p.voice());
    }

    private static Set<String> phrases(Persona p) {
        Set<String> phrases = new LinkedHashSet<>();
        if (p.transport() == dev.voiceagent.persona.Transport.CONVERSATION_RELAY) {
            return phrases;   // Twilio speaks a ConversationRelay persona's phrases: nothing of ours to warm
        }
        List<String> fixed = new ArrayList<>(List.of(p.greeting(), p.reprompt(), p.goodbye(), p.apology()));
        fixed.addAll(p.tools().phrases());
        for (String s : fixed) {
            if (s != null && !s.isBlank()) {
                phrases.add(s);
            }
        }
        return phrases;
    }

    /** Synthesizes one phrase; {@link CallVoice#synthesizePhrase} caches it under the voice that produced it. */
    private static void warm(Persona persona, String phrase, CallVoice voice) {
        try {
            voice.synthesizePhrase(persona.voice(), phrase, (b, off, len) -> true);
        } catch (VendorException e) {
            LOG.warning("could not pre-synthesize a phrase of persona " + persona.id() + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.interrupt();
        }
    }
}
