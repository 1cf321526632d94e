package dev.voiceagent.twilio;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;

/**
 * Checks the {@code X-Twilio-Signature} of a Media Streams WebSocket handshake. Twilio signs the
 * handshake like a GET with no parameters, but which exact URL it signs is not documented (wss or https,
 * with or without a trailing slash), so every plausible form of our own stream URL is accepted, and
 * nothing else. Only when checks are explicitly off for local development does every handshake pass.
 */
public final class HandshakeVerifier {

    private final SignatureCheck check;

    public HandshakeVerifier(SignatureCheck check) {
        this.check = check;
    }

    public boolean verify(HttpPrologue prologue, Headers headers) {
        if (!(check instanceof SignatureCheck.Enforced enforced)) {
            return true;
        }
        String given = headers.first(HeaderNames.create("X-Twilio-Signature")).orElse("");
        String path = prologue.uriPath().rawPath();
        String query = prologue.query().rawValue();
        List<String> hosts = new ArrayList<>();
        hosts.add(enforced.publicBaseUrl().getRawAuthority());
        headers.first(HeaderNames.HOST).ifPresent(hosts::add);
        List<String> candidates = new ArrayList<>();
        for (String host : hosts) {
            for (String scheme : List.of("wss://", "https://")) {
                String base = scheme + host + path;
                candidates.add(base);
                candidates.add(base.endsWith("/") ? base.substring(0, base.length() - 1) : base + "/");
                if (!query.isEmpty()) {
                    candidates.add(base + "?" + query);
                }
            }
        }
        return enforced.signature().matchesAny(given, candidates, Map.of());
    }
}
