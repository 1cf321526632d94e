package dev.voiceagent.twilio;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Carries a warm transfer's one-sentence summary to the whisper route inside the URL Twilio fetches, sealed with
 * AES-256-GCM: the token is {@code base64url(nonce ‖ ciphertext+tag)} of {@code expiry (epoch s, 8 bytes) ‖ summary
 * (UTF-8)}. Sealing (not only signing) keeps the caller's details out of Twilio's request logs and debugger, and
 * needs no shared state: any instance whose key comes from the same secret (the Twilio auth token all instances
 * share) opens a token another instance issued, so the whisper works whichever instance Twilio's request reaches.
 * A token is good until it expires (a few minutes: the dialed person must answer first); it is not single-use,
 * since opening it only ever says the summary to a request that also carries Twilio's signature. Immutable and
 * thread-safe.
 */
public final class WhisperTokens {

    /** Longest summary carried; a longer one is cut at a word boundary (it is read aloud in a few seconds). */
    public static final int MAX_SUMMARY_CHARS = 400;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final Duration lifetime;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param secret   shared by every instance (derived from the Twilio auth token), or random for a single one
     * @param lifetime how long a token opens
     */
    public WhisperTokens(byte[] secret, Duration lifetime, Clock clock) {
        Objects.requireNonNull(secret, "secret");
        this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
        this.clock = Objects.requireNonNull(clock, "clock");
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("voice-agent whisper|".getBytes(StandardCharsets.UTF_8));
            this.key = new SecretKeySpec(sha.digest(secret), "AES");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token carrying {@code summary} (cut to {@link #MAX_SUMMARY_CHARS}), URL-safe. */
    public String seal(String summary) {
        byte[] text = bounded(summary).getBytes(StandardCharsets.UTF_8);
        long expiry = clock.instant().plus(lifetime).getEpochSecond();
        byte[] plain = ByteBuffer.allocate(Long.BYTES + text.length).putLong(expiry).put(text).array();
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(plain);
            byte[] token = ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
            return Base64.getUrlEncoder().withoutPadding().encodeToString(token);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /** The summary in {@code token}, if it is one of ours and has not expired. */
    public Optional<String> open(String token) {
        if (token == null || token.isEmpty() || token.length() > 4 * MAX_SUMMARY_CHARS * 2) {
            return Optional.empty();
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (raw.length < NONCE_BYTES + TAG_BITS / 8 + Long.BYTES) {
            return Optional.empty();
        }
        byte[] plain;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, raw, 0, NONCE_BYTES));
            plain = cipher.doFinal(raw, NONCE_BYTES, raw.length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            return Optional.empty();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
        ByteBuffer buffer = ByteBuffer.wrap(plain);
        long expiry = buffer.getLong();
        if (clock.instant().getEpochSecond() > expiry) {
            return Optional.empty();
        }
        return Optional.of(new String(Arrays.copyOfRange(plain, Long.BYTES, plain.length), StandardCharsets.UTF_8));
    }

    private static String bounded(String summary) {
        String text = summary == null ? "" : summary.strip().replaceAll("\\s+", " ");
        if (text.length() <= MAX_SUMMARY_CHARS) {
            return text;
        }
        int cut = text.lastIndexOf(' ', MAX_SUMMARY_CHARS);
        return text.substring(0, cut > MAX_SUMMARY_CHARS / 2 ? cut : MAX_SUMMARY_CHARS);
    }
}
