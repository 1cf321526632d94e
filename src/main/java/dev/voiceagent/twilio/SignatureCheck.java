package dev.voiceagent.twilio;

import java.net.URI;
import java.util.Objects;

/**
 * Whether Twilio's requests must be signed, decided once at startup. Checks are on ({@link Enforced}) unless
 * the operator explicitly turned them off for local development ({@link OffForLocalDevelopment}); there is
 * no silent third state. Immutable; safe to share between threads.
 */
public sealed interface SignatureCheck {

    /**
     * Every webhook, status callback and media socket handshake must carry a valid {@code X-Twilio-Signature}.
     *
     * @param signature     computes signatures with the account's auth token
     * @param publicBaseUrl the public origin Twilio was given (the URL it signs), never the request's Host
     */
    record Enforced(TwilioSignature signature, URI publicBaseUrl) implements SignatureCheck {
        public Enforced {
            Objects.requireNonNull(signature, "signature");
            Objects.requireNonNull(publicBaseUrl, "publicBaseUrl");
        }
    }

    /** Nothing is checked: {@code TWILIO_SIGNATURE_CHECKS=off-for-local-development}. Never for production. */
    record OffForLocalDevelopment() implements SignatureCheck {
    }

    /** What health and the startup log say about it. */
    default String describe() {
        return switch (this) {
            case Enforced e -> "ON";
            case OffForLocalDevelopment off ->
                    "OFF (TWILIO_SIGNATURE_CHECKS=off-for-local-development): anyone can reach the webhooks and"
                    + " the media socket; local development only";
        };
    }
}
