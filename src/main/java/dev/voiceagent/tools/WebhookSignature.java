package dev.voiceagent.tools;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How a webhook tool's request is signed, so its receiver can tell it came from this server and is fresh:
 * <pre>
 * X-Voice-Agent-Timestamp: 1767225600                      (Unix seconds when the request was sent)
 * X-Voice-Agent-Signature: sha256=&lt;hex HMAC-SHA256(key, timestamp + "." + body)&gt;
 * </pre>
 * {@code key} is the UTF-8 bytes of the secret in the tool's {@code secretEnv}; {@code body} the exact bytes sent.
 * A receiver recomputes the HMAC over the timestamp header, a dot and the raw body, compares in constant time, and
 * refuses a timestamp more than 5 minutes from its clock (a replayed request). Pure functions; thread-safe.
 */
public final class WebhookSignature {

    public static final String SIGNATURE_HEADER = "X-Voice-Agent-Signature";
    public static final String TIMESTAMP_HEADER = "X-Voice-Agent-Timestamp";

    private WebhookSignature() {
    }

    /** The {@value #SIGNATURE_HEADER} value for {@code body} sent at {@code epochSeconds}. */
    public static String sign(String secret, long epochSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((epochSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
