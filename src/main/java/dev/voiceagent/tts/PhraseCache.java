package dev.voiceagent.tts;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Synthesized audio of fixed phrases (greetings, reprompts, goodbyes, apologies), so a call's first words
 * play within milliseconds of {@code start} instead of after a TTS round trip, and an apology can still be
 * played while the TTS vendor is down. Keyed by everything that changes the sound; least recently used
 * entries are evicted past {@code maxEntries}.
 */
public final class PhraseCache {

    private final int maxEntries;
    private final int maxBytesPerEntry;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, byte[]> entries;

    public PhraseCache(int maxEntries, int maxBytesPerEntry) {
        this.maxEntries = maxEntries;
        this.maxBytesPerEntry = maxBytesPerEntry;
        this.entries = new LinkedHashMap<>(16, 0.75f, true);
    }

    public Optional<byte[]> get(Voice voice, String text) {
        lock.lock();
        try {
            return Optional.ofNullable(entries.get(key(voice, text)));
        } finally {
            lock.unlock();
        }
    }

    /** Stores audio; ignored when larger than the per-entry bound. */
    public void put(Voice voice, String text, byte[] mulaw) {
        if (mulaw.length == 0 || mulaw.length > maxBytesPerEntry) {
            return;
        }
        lock.lock();
        try {
            entries.put(key(voice, text), mulaw);
            if (entries.size() > maxEntries) {
                entries.remove(entries.keySet().iterator().next());
            }
        } finally {
            lock.unlock();
        }
    }

    /** Largest phrase kept, in bytes of mu-law. */
    public int maxBytesPerEntry() {
        return maxBytesPerEntry;
    }

    private static String key(Voice v, String text) {
        return v.voiceId() + '|' + v.modelId() + '|' + v.stability() + '|' + v.similarityBoost() + '|'
                + v.style() + '|' + v.speed() + '|' + v.fallbackSpeaker() + '|' + text;
    }
}
