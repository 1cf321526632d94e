package dev.voiceagent.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.helidon.config.Config;

/**
 * Everything the server needs to run, resolved once at startup: environment variables (the documented
 * contract) override {@code config/application.yaml}, which overrides built-in defaults. Secrets only ever
 * come from the environment and are never printed ({@link #toString()} is redacted).
 */
public record Settings(int port,
                       Optional<URI> publicBaseUrl,
                       Twilio twilio,
                       Cloudflare cloudflare,
                       ElevenLabs elevenLabs,
                       GoHighLevel goHighLevel,
                       Optional<String> databaseUrl,
                       Path dataDir,
                       Optional<String> adminApiKey,
                       Path personasFile,
                       AfterCall afterCall,
                       Calls calls) {

    /** Twilio account used to hang up calls and to check request signatures. */
    public record Twilio(URI apiBase, Optional<String> accountSid, Optional<String> authToken) {
        public boolean configured() {
            return accountSid.isPresent() && authToken.isPresent();
        }
    }

    /** Workers AI: speech-to-text, the language model and the fallback voice. */
    public record Cloudflare(URI apiBase, Optional<String> accountId, Optional<String> apiToken,
                             String sttModel, String sttLanguage) {
        public boolean configured() {
            return accountId.isPresent() && apiToken.isPresent();
        }
    }

    /** ElevenLabs streaming text-to-speech. */
    public record ElevenLabs(URI apiBase, Optional<String> apiKey) {
        public boolean configured() {
            return apiKey.isPresent();
        }
    }

    /** GoHighLevel CRM. */
    public record GoHighLevel(URI apiBase, Optional<String> apiKey, Optional<String> locationId) {
        public boolean configured() {
            return apiKey.isPresent() && locationId.isPresent();
        }
    }

    /**
     * What happens once a call has ended: fact extraction and delivery to the CRM.
     *
     * @param extractionModel Workers AI model asked, in JSON mode, for the facts and the summary
     * @param webhookUrl      optional URL that also receives every finished call as JSON (CRM_WEBHOOK_URL)
     * @param firstRetry      delay before the first retry of a failed delivery; doubles up to {@code maxRetry}
     * @param maxRetry        longest delay between two attempts
     * @param giveUpAfter     a delivery still failing this long after the call ended is marked failed
     * @param requestTimeout  bound on each CRM or extraction request
     * @param staleCallMargin a call still marked in progress this long after the longest call a persona
     *                        allows was cut off by a server crash: it is closed and delivered as it stands
     */
    public record AfterCall(String extractionModel,
                            Optional<URI> webhookUrl,
                            Duration firstRetry,
                            Duration maxRetry,
                            Duration giveUpAfter,
                            Duration requestTimeout,
                            Duration staleCallMargin) {
    }

    /**
     * Per-call mechanics shared by all personas.
     *
     * @param playoutLead          audio kept queued at Twilio ahead of real time
     * @param frame                duration of each outbound media message
     * @param inboundSilenceLimit  no inbound frame for this long means the socket is dead (Twilio sends
     *                             media every 20 ms, and Helidon reports no abrupt disconnect)
     * @param startTimeout         a socket that does not send {@code start} within this is closed
     * @param maxUtterance         longest caller turn kept in memory
     * @param sttTimeout           speech-to-text request timeout
     * @param llmTimeout           language model timeout (to first token and between tokens)
     * @param ttsTimeout           text-to-speech timeout (to first byte and between chunks)
     * @param hangUpTimeout        bound on the Twilio REST hang-up during teardown
     * @param ttsFailoverCooldown  how long to prefer the fallback voice after the primary failed
     * @param drainTimeout         on shutdown, how long calls in progress may go on before they are ended
     * @param ttsMaxConcurrent     ElevenLabs requests allowed at once across all calls (the plan's concurrency
     *                             limit); a sentence that gets no slot within a short wait is spoken by the fallback
     */
    public record Calls(Duration playoutLead,
                        Duration frame,
                        Duration inboundSilenceLimit,
                        Duration startTimeout,
                        Duration maxUtterance,
                        Duration sttTimeout,
                        Duration llmTimeout,
                        Duration ttsTimeout,
                        Duration hangUpTimeout,
                        Duration ttsFailoverCooldown,
                        Duration drainTimeout,
                        int ttsMaxConcurrent) {
    }

    /**
     * Resolves settings.
     *
     * @param yaml the {@code voice-agent} node of application.yaml (may be empty)
     * @param env  environment variables
     */
    public static Settings load(Config yaml, Map<String, String> env) {
        Config c = yaml;
        return new Settings(
                Integer.parseInt(env(env, "PORT").orElse(c.get("port").asString().orElse("8080"))),
                env(env, "PUBLIC_BASE_URL").map(Settings::baseUri),
                new Twilio(uri(env, "TWILIO_API_BASE_URL", c.get("twilio.apiBaseUrl"), "https://api.twilio.com"),
                           env(env, "TWILIO_ACCOUNT_SID"), env(env, "TWILIO_AUTH_TOKEN")),
                new Cloudflare(uri(env, "CLOUDFLARE_API_BASE_URL", c.get("cloudflare.apiBaseUrl"),
                                   "https://api.cloudflare.com/client/v4"),
                               env(env, "CLOUDFLARE_ACCOUNT_ID"), env(env, "CLOUDFLARE_API_TOKEN"),
                               env(env, "STT_MODEL").orElse(c.get("cloudflare.sttModel").asString()
                                       .orElse("@cf/openai/whisper-large-v3-turbo")),
                               c.get("cloudflare.sttLanguage").asString().orElse("en")),
                new ElevenLabs(uri(env, "ELEVENLABS_API_BASE_URL", c.get("elevenlabs.apiBaseUrl"),
                                   "https://api.elevenlabs.io"),
                               env(env, "ELEVENLABS_API_KEY")),
                new GoHighLevel(uri(env, "GHL_API_BASE_URL", c.get("ghl.apiBaseUrl"),
                                    "https://services.leadconnectorhq.com"),
                                env(env, "GHL_API_KEY"), env(env, "GHL_LOCATION_ID")),
                env(env, "DATABASE_URL"),
                Path.of(env(env, "DATA_DIR").orElse(c.get("dataDir").asString().orElse("data"))),
                env(env, "ADMIN_API_KEY"),
                Path.of(env(env, "PERSONAS_FILE").orElse(c.get("personasFile").asString().orElse("config/personas.yaml"))),
                new AfterCall(env(env, "EXTRACTION_MODEL").orElse(c.get("afterCall.extractionModel").asString()
                                      .orElse("@cf/meta/llama-3.3-70b-instruct-fp8-fast")),
                              env(env, "CRM_WEBHOOK_URL").map(Settings::baseUri),
                              duration(c.get("afterCall.firstRetryMs"), 2_000),
                              duration(c.get("afterCall.maxRetryMs"), 300_000),
                              duration(c.get("afterCall.giveUpAfterMs"), 86_400_000),
                              duration(c.get("afterCall.requestTimeoutMs"), 15_000),
                              duration(c.get("afterCall.staleCallMarginMs"), 300_000)),
                new Calls(duration(c.get("calls.playoutLeadMs"), 160),
                          duration(c.get("calls.frameMs"), 40),
                          duration(c.get("calls.inboundSilenceLimitMs"), 5000),
                          duration(c.get("calls.startTimeoutMs"), 10_000),
                          duration(c.get("calls.maxUtteranceMs"), 30_000),
                          duration(c.get("calls.sttTimeoutMs"), 5000),
                          duration(c.get("calls.llmTimeoutMs"), 5000),
                          duration(c.get("calls.ttsTimeoutMs"), 4000),
                          duration(c.get("calls.hangUpTimeoutMs"), 3000),
                          duration(c.get("calls.ttsFailoverCooldownMs"), 30_000),
                          duration(c.get("calls.drainTimeoutMs"), 45_000),
                          positive(c.get("calls.ttsMaxConcurrent"), 10)));
    }

    /** Vendors whose credentials are missing, for the startup log and the health endpoint. */
    public List<String> unconfiguredVendors() {
        List<String> missing = new ArrayList<>();
        if (!twilio.configured()) {
            missing.add("twilio (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)");
        }
        if (!cloudflare.configured()) {
            missing.add("cloudflare (CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_TOKEN)");
        }
        if (!elevenLabs.configured()) {
            missing.add("elevenlabs (ELEVENLABS_API_KEY)");
        }
        if (!goHighLevel.configured()) {
            missing.add("gohighlevel (GHL_API_KEY, GHL_LOCATION_ID)");
        }
        return missing;
    }

    @Override
    public String toString() {
        return "Settings[port=" + port + ", publicBaseUrl=" + publicBaseUrl.map(URI::toString).orElse("-")
                + ", personasFile=" + personasFile + ", unconfigured=" + unconfiguredVendors() + "]";
    }

    private static Optional<String> env(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::strip).filter(s -> !s.isEmpty());
    }

    private static URI uri(Map<String, String> env, String name, Config yaml, String dflt) {
        return baseUri(env(env, name).orElse(yaml.asString().orElse(dflt)));
    }

    private static URI baseUri(String value) {
        String v = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        URI uri = URI.create(v);
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new IllegalArgumentException("not an absolute http(s) URL: " + value);
        }
        return uri;
    }

    private static int positive(Config node, int dflt) {
        int value = node.asInt().orElse(dflt);
        if (value < 1) {
            throw new IllegalArgumentException(node.key() + " must be at least 1, not " + value);
        }
        return value;
    }

    private static Duration duration(Config node, long dfltMillis) {
        return Duration.ofMillis(node.asLong().orElse(dfltMillis));
    }
}
