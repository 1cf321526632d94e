package dev.voiceagent.tts;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Logger;

import dev.voiceagent.persona.Persona;
import dev.voiceagent.persona.Personas;
import dev.voiceagent.vendor.VendorException;

/**
 * Synthesizes every persona's fixed phrases in the background at startup, so the first caller hears the
 * greeting without waiting for text-to-speech and an apology is ready before any vendor fails.
 */
public final class PhraseWarmer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PhraseWarmer.class.getName());

    private final ExecutorService executor;

    private PhraseWarmer(ExecutorService executor) {
        this.executor = executor;
    }

    public static PhraseWarmer none() {
        return new PhraseWarmer(null);
    }

    public static PhraseWarmer start(Personas personas, SpeechSynthesizer tts, PhraseCache cache) {
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        for (Persona p : personas.all()) {
            List<String> phrases = new ArrayList<>(List.of(p.greeting(), p.reprompt(), p.goodbye(), p.apology()));
            for (String phrase : phrases) {
                executor.submit(() -> warm(p, phrase, tts, cache));
            }
        }
        executor.shutdown();
        return new PhraseWarmer(executor);
    }

    private static void warm(Persona persona, String phrase, SpeechSynthesizer tts, PhraseCache cache) {
        if (cache.get(persona.voice(), phrase).isPresent()) {
            return;
        }
        ByteArrayOutputStream audio = new ByteArrayOutputStream(16_384);
        try {
            tts.synthesize(SpeechRequest.of(phrase, persona.voice()), (b, off, len) -> {
                audio.write(b, off, len);
                return audio.size() <= cache.maxBytesPerEntry();
            });
            cache.put(persona.voice(), phrase, audio.toByteArray());
        } catch (VendorException e) {
            LOG.warning("could not pre-synthesize a phrase of persona " + persona.id() + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
