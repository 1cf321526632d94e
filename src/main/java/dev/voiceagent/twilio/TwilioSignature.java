package dev.voiceagent.twilio;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Twilio's request signature ({@code X-Twilio-Signature}): Base64(HMAC-SHA1(authToken, url + each POST
 * parameter name and value, sorted by name, case-sensitive)). See twilio.com/docs/usage/security.
 */
public final class TwilioSignature {

    private final byte[] authToken;

    public TwilioSignature(String authToken) {
        this.authToken = authToken.getBytes(StandardCharsets.UTF_8);
    }

    /** The signature Twilio would send for this URL and form parameters. */
    public String sign(String url, Map<String, ? extends Collection<String>> formParams) {
        StringBuilder data = new StringBuilder(url);
        List<String> names = new ArrayList<>(formParams.keySet());
        names.sort(null);
        for (String name : names) {
            for (String value : formParams.get(name)) {
                data.append(name).append(value == null ? "" : value);
            }
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(authToken, "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        }
    }

    /**
     * Whether {@code signature} matches any of the candidate URLs. Several candidates exist because the
     * exact URL Twilio signs for a WebSocket handshake is not documented (scheme, trailing slash).
     */
    public boolean matchesAny(String signature, List<String> candidateUrls,
                              Map<String, ? extends Collection<String>> formParams) {
        if (signature == null || signature.isEmpty()) {
            return false;
        }
        byte[] given = signature.getBytes(StandardCharsets.UTF_8);
        boolean matched = false;
        for (String url : candidateUrls) {
            // Compare every candidate in constant time; no early exit that leaks which one matched.
            matched |= MessageDigest.isEqual(given, sign(url, formParams).getBytes(StandardCharsets.UTF_8));
        }
        return matched;
    }
}
