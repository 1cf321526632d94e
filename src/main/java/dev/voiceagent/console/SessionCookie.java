package dev.voiceagent.console;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The console's sign-in cookie: {@code v1.<expiry epoch seconds>.<HMAC-SHA256 of "v1.<expiry>">}, base64url.
 * <p>
 * The HMAC key is derived from {@code ADMIN_API_KEY} (SHA-256 of a fixed label and the key), so every instance
 * sharing the key, and the same instance after a restart, accepts the cookie; changing the key signs everyone
 * out. The expiry is inside the signed value, so it cannot be extended; the MAC is compared in constant time.
 * The value carries no secret and no user data. Immutable and thread-safe.
 */
public final class SessionCookie {

    /** The cookie's name. */
    public static final String NAME = "va_console";
    private static final String VERSION = "v1";
    private static final String ALGORITHM = "HmacSHA256";
    /** A value longer than this is never ours (and is not worth a MAC). */
    private static final int MAX_VALUE_LENGTH = 128;

    private final byte[] key;
    private final Duration lifetime;
    private final Clock clock;

    /**
     * @param adminApiKey the configured {@code ADMIN_API_KEY}; never stored as given, only a key derived from it
     * @param lifetime    how long a sign-in lasts
     */
    public SessionCookie(String adminApiKey, Duration lifetime, Clock clock) {
        if (adminApiKey == null || adminApiKey.isEmpty()) {
            throw new IllegalArgumentException("a session cookie needs ADMIN_API_KEY");
        }
        this.key = derive(adminApiKey);
        this.lifetime = lifetime;
        this.clock = clock;
    }

    /** How long a sign-in lasts. */
    public Duration lifetime() {
        return lifetime;
    }

    /** A fresh signed value, valid for {@link #lifetime()} from now. */
    public String issue() {
        long expiry = clock.instant().plus(lifetime).getEpochSecond();
        String payload = VERSION + "." + expiry;
        return payload + "." + mac(payload);
    }

    /** Whether {@code value} was signed with this key and has not expired. Never throws. */
    public boolean valid(String value) {
        return expiry(value).filter(e -> clock.instant().isBefore(e)).isPresent();
    }

    /** The expiry signed into {@code value}, when its signature is right (expired or not). */
    Optional<Instant> expiry(String value) {
        if (value == null || value.length() > MAX_VALUE_LENGTH) {
            return Optional.empty();
        }
        int last = value.lastIndexOf('.');
        if (last < 0) {
            return Optional.empty();
        }
        String payload = value.substring(0, last);
        byte[] given = value.substring(last + 1).getBytes(StandardCharsets.US_ASCII);
        byte[] expected = mac(payload).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(given, expected)) {
            return Optional.empty();
        }
        String[] parts = payload.split("\\.", -1);
        if (parts.length != 2 || !parts[0].equals(VERSION)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.ofEpochSecond(Long.parseLong(parts[1])));
        } catch (NumberFormatException | java.time.DateTimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The {@code Set-Cookie} header value that signs a browser in: HttpOnly, SameSite=Strict, path {@code /},
     * {@code Max-Age} of the lifetime, and Secure when {@code secure}.
     */
    public String setCookieHeader(boolean secure) {
        return NAME + "=" + issue() + "; Path=/; Max-Age=" + lifetime.toSeconds() + "; HttpOnly; SameSite=Strict"
               + (secure ? "; Secure" : "");
    }

    /** The {@code Set-Cookie} header value that signs a browser out (an empty, already expired cookie). */
    public static String clearCookieHeader(boolean secure) {
        return NAME + "=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict"
               + (secure ? "; Secure" : "");
    }

    /**
     * The values of this cookie in a request's {@code Cookie} header(s) ({@code name=value; name2=value2}), in
     * order (a browser may send two of one name, for different paths), at most 8.
     */
    public static List<String> values(Iterable<String> cookieHeaders) {
        List<String> found = new ArrayList<>();
        for (String header : cookieHeaders) {
            for (String part : header.split(";")) {
                String p = part.strip();
                if (p.startsWith(NAME + "=") && found.size() < 8) {
                    String v = p.substring(NAME.length() + 1).strip();
                    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                        v = v.substring(1, v.length() - 1);
                    }
                    found.add(v);
                }
            }
        }
        return found;
    }

    private String mac(String payload) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    private static byte[] derive(String adminApiKey) {
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest(("voice-agent console session|" + adminApiKey).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
