package dev.voiceagent.tts;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Synthesized audio of fixed phrases (greetings, reprompts, goodbyes, apologies), so a call's first words
 * play within milliseconds of {@code start} instead of after a TTS round trip, and an apology can still be
 * played while the TTS vendor is down.
 * <p>
 * Entries are keyed by the {@link VoiceSource} that produced the audio (vendor and exact voice) and the text, so
 * audio of the fallback voice is never mistaken for the primary voice. Which entry a call should play is decided by
 * {@link CallVoice#cachedPhrase}, which knows whether that call is speaking with the primary voice right now.
 * Least recently used entries are evicted past {@code maxEntries}. Thread-safe; never blocks beyond a short lock.
 */
public final class PhraseCache {

    private final int maxEntries;
    private final int maxBytesPerEntry;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Key, byte[]> entries;

    private record Key(VoiceSource source, String text) {
    }

    public PhraseCache(int maxEntries, int maxBytesPerEntry) {
        this.maxEntries = maxEntries;
        this.maxBytesPerEntry = maxBytesPerEntry;
        this.entries = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** The audio {@code source} made of {@code text}, if cached. */
    public Optional<byte[]> get(VoiceSource source, String text) {
        lock.lock();
        try {
            return Optional.ofNullable(entries.get(new Key(source, text)));
        } finally {
            lock.unlock();
        }
    }

    /** Stores the audio {@code source} made of {@code text}; ignored when empty or larger than the per-entry bound. */
    public void put(VoiceSource source, String text, byte[] mulaw) {
        if (mulaw.length == 0 || mulaw.length > maxBytesPerEntry) {
            return;
        }
        lock.lock();
        try {
            entries.put(new Key(source, text), mulaw);
            if (entries.size() > maxEntries) {
                entries.remove(entries.keySet().iterator().next());
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The primary voice's audio of {@code text}, else the fallback voice's.
     *
     * @deprecated does not know whether the call speaks with the primary voice right now; use
     *             {@link CallVoice#cachedPhrase}. Kept until the call session is moved over.
     */
    @Deprecated
    public Optional<byte[]> get(Voice voice, String text) {
        return get(VoiceSource.primary(voice), text).or(() -> get(VoiceSource.fallback(voice), text));
    }

    /**
     * Ignored: audio stored without saying which vendor produced it could be the fallback voice's, and would then be
     * served as the primary voice.
     *
     * @deprecated use {@link CallVoice#speakPhrase}, which caches what it synthesizes under the right source.
     */
    @Deprecated
    public void put(Voice voice, String text, byte[] mulaw) {
        // intentionally not stored; see the Javadoc
    }

    /** Largest phrase kept, in bytes of mu-law. */
    public int maxBytesPerEntry() {
        return maxBytesPerEntry;
    }
}
