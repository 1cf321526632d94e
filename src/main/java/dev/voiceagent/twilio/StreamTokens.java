package dev.voiceagent.twilio;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived, single-use tokens that tie a media socket to the TwiML we issued for the same call.
 * The webhook puts one in a {@code <Parameter>}; the socket must present it in {@code start}, for the same
 * CallSid, before it expires. A socket nobody asked for is closed, so the media endpoint cannot be used
 * to run up vendor costs.
 * <p>
 * A token is checked with the shared secret alone, so it verifies on whichever instance the socket reaches; whether
 * it was used before is asked of a {@link Ledger}: this process's memory by default, or one shared by all instances
 * (see {@link SharedTokenLedger}).
 */
public final class StreamTokens {

    /** Remembers redeemed tokens until they expire. Thread-safe. */
    @FunctionalInterface
    public interface Ledger {
        /** Records {@code token} (valid until {@code expires}) as used; false when it was used before. */
        boolean firstUse(String token, Instant expires);
    }

    /** The tokens this process has redeemed, forgotten once expired. */
    public static final class LocalLedger implements Ledger {
        private final Clock clock;
        private final Map<String, Instant> used = new ConcurrentHashMap<>();

        public LocalLedger(Clock clock) {
            this.clock = clock;
        }

        @Override
        public boolean firstUse(String token, Instant expires) {
            Instant now = clock.instant();
            used.values().removeIf(expiry -> expiry.isBefore(now));
            return used.putIfAbsent(token, expires) == null;
        }
    }

    private final byte[] secret;
    private final Duration ttl;
    private final Clock clock;
    private final Ledger ledger;

    /** Tokens whose single use is remembered by this process only. */
    public StreamTokens(byte[] secret, Duration ttl, Clock clock) {
        this(secret, ttl, clock, new LocalLedger(clock));
    }

    public StreamTokens(byte[] secret, Duration ttl, Clock clock, Ledger ledger) {
        this.secret = secret.clone();
        this.ttl = ttl;
        this.clock = clock;
        this.ledger = ledger;
    }

    /** A token for this call, valid for the configured time. */
    public String issue(String callSid) {
        long expires = clock.instant().plus(ttl).getEpochSecond();
        String body = callSid + "." + expires;
        return expires + "." + mac(body);
    }

    /** Whether {@code token} was issued for {@code callSid}, has not expired and was not used before. */
    public boolean redeem(String token, String callSid) {
        if (token == null || callSid == null) {
            return false;
        }
        int dot = token.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        long expires;
        try {
            expires = Long.parseLong(token.substring(0, dot));
        } catch (NumberFormatException e) {
            return false;
        }
        Instant now = clock.instant();
        if (now.getEpochSecond() > expires) {
            return false;
        }
        byte[] expected = mac(callSid + "." + expires).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, token.substring(dot + 1).getBytes(StandardCharsets.UTF_8))) {
            return false;
        }
        return ledger.firstUse(token, Instant.ofEpochSecond(expires));
    }

    private String mac(String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
