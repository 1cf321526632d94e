package dev.voiceagent.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.voiceagent.tools.builtin.BuiltinToolSettings;
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
                       Calls calls,
                       Security security,
                       Admission admission,
                       Instances instances,
                       BuiltinToolSettings builtinTools,
                       Tools tools) {

    /** The only value of {@code TWILIO_SIGNATURE_CHECKS}: turns the checks off, for local development only. */
    public static final String SIGNATURE_CHECKS_OFF = "off-for-local-development";

    /**
     * What persona tools read: the environment their {@code secretEnv} and {@code headers: {X: {env: NAME}}} name
     * (the process environment, or a test's). Its {@code toString} never shows a value.
     */
    public record Tools(java.util.function.Function<String, Optional<String>> environment) {
        @Override
        public String toString() {
            return "Tools[environment]";
        }
    }

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
     * @param sttConnectTimeout    bound on opening a live speech-to-text socket
     * @param sttEndpointing       nova-3 {@code endpointing}: silence after which the vendor marks speech final
     * @param sttUtteranceEnd      nova-3 {@code utterance_end_ms}
     * @param ttsMaxConcurrent     ElevenLabs requests allowed at once across all calls (the plan's concurrency
     *                             limit); a sentence that gets no slot within a short wait is spoken by the fallback
     * @param readerRest           the longest rest of a media socket's reader once it has caught up, so it takes
     *                             several frames per wake-up; a rest is shorter where the call could decide
     *                             something sooner (0: one wake-up per frame; at most 200 ms)
     * @param wakeTick             how often the one clock thread that ends every call's timed waits (a reader's rest,
     *                             the playout's pacing, a call thread's timers) ticks: a wait ends up to this much
     *                             early, and the waits of all calls due in one tick are woken together (1..50 ms)
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
                        Duration sttConnectTimeout,
                        Duration sttEndpointing,
                        Duration sttUtteranceEnd,
                        int ttsMaxConcurrent,
                        Duration readerRest,
                        Duration wakeTick) {
    }

    /** Whether Twilio's requests (webhooks, status callbacks, the media socket handshake) must be signed. */
    public enum TwilioSignatures {
        /** Every request must carry a valid {@code X-Twilio-Signature}: the only production setting. */
        ON,
        /** Nothing is checked: {@code TWILIO_SIGNATURE_CHECKS=off-for-local-development}, local development only. */
        OFF_FOR_LOCAL_DEVELOPMENT
    }

    /**
     * What protects the server's public edge.
     *
     * @param twilioSignatures  whether Twilio's signatures are checked; {@code ON} unless explicitly turned off
     * @param streamTokenSecret {@code STREAM_TOKEN_SECRET}: keys the single-use stream tokens of the TwiML. Unset,
     *                          the key is derived from {@code TWILIO_AUTH_TOKEN}; both are the same on every instance,
     *                          so a stream verifies on whichever instance it reaches. Without either, the key is
     *                          random per process and a stream only verifies on the instance that answered.
     */
    public record Security(TwilioSignatures twilioSignatures, Optional<String> streamTokenSecret) {
    }

    /**
     * Several instances on one database: each heartbeats, and any instance takes over the calls of one that stopped.
     *
     * @param heartbeat how often this instance records that it is alive and looks for instances that are not
     *                  ({@code instances.heartbeatMs}, env {@code INSTANCE_HEARTBEAT_MS}; default 10 s)
     * @param deadAfter an instance not heard from this long is dead: its calls are marked abandoned and delivered,
     *                  its outbox claims released ({@code instances.deadAfterMs}, env {@code INSTANCE_DEAD_AFTER_MS};
     *                  default 40 s; at least three heartbeats, so one slow heartbeat never kills a live instance)
     */
    public record Instances(Duration heartbeat, Duration deadAfter) {
        public Instances {
            if (heartbeat.toMillis() < 100) {
                throw new IllegalArgumentException("INSTANCE_HEARTBEAT_MS (instances.heartbeatMs) must be at least 100: "
                                                   + heartbeat.toMillis());
            }
            if (deadAfter.compareTo(heartbeat.multipliedBy(3)) < 0) {
                throw new IllegalArgumentException("INSTANCE_DEAD_AFTER_MS (instances.deadAfterMs, " + deadAfter.toMillis()
                        + ") must be at least three heartbeats (" + heartbeat.multipliedBy(3).toMillis()
                        + "), or a live instance whose heartbeat is late would be taken for dead");
            }
        }
    }

    /**
     * Admission control: how many calls one instance takes at once.
     *
     * @param maxConcurrentCalls calls in progress plus calls answered whose media socket has not arrived yet
     *                           ({@code calls.maxConcurrentCalls}, env {@code MAX_CONCURRENT_CALLS}; at least 1).
     *                           Default: {@link #defaultMaxConcurrentCalls(int)} of the processors this JVM may use
     *                           ({@link Runtime#availableProcessors()}, which follows a container's CPU limit)
     * @param overflowNumber     E.164 number calls beyond the cap are forwarded to ({@code OVERFLOW_NUMBER});
     *                           without one they hear a short apology and are hung up
     */
    public record Admission(int maxConcurrentCalls, Optional<String> overflowNumber) {

        /**
         * Media-stream calls one dedicated server core carried in the pinned load test (server on one core, load
         * generator and vendor fakes on another; loadtest/README.md, "Capacity per core"): measured 2026-12-04 on
         * Helidon 4.5.0 with the reader resting between frames, 250 calls with no failed call, no audio gap and
         * {@code serverMs} p99 4 ms, the server's core 47 % busy while all talked (300 had 6 gaps of at most 52 ms,
         * with the load generator's core saturated). Re-measure with the command there and update this.
         */
        public static final int CALLS_PER_CORE_MEASURED = 250;

        /**
         * The share of {@link #CALLS_PER_CORE_MEASURED} taken by default: the measured figure is the edge, the test's
         * vendors are local fakes over plain HTTP while production talks TLS to real vendors, and the after-call work
         * and GC share the cores. 0.75 gives 187 calls per core, 374 on a 2-core instance.
         */
        public static final double CORE_MARGIN = 0.75;

        /**
         * The default call cap for a server with {@code processors} cores: {@link #CALLS_PER_CORE_MEASURED} x
         * {@link #CORE_MARGIN} per core, at least 1.
         */
        public static int defaultMaxConcurrentCalls(int processors) {
            return Math.max(1, (int) (CALLS_PER_CORE_MEASURED * CORE_MARGIN) * Math.max(1, processors));
        }
    }

    /**
     * Resolves settings.
     *
     * @param yaml the {@code voice-agent} node of application.yaml (may be empty)
     * @param env  environment variables
     */
    public static Settings load(Config yaml, Map<String, String> env) {
        Config c = yaml;
        Optional<URI> publicBaseUrl = publicBaseUrl(env);
        return new Settings(
                Integer.parseInt(env(env, "PORT").orElse(c.get("port").asString().orElse("8080"))),
                publicBaseUrl,
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
                new Calls(duration(c.get("calls.playoutLeadMs"), 300),
                          duration(c.get("calls.frameMs"), 80),
                          duration(c.get("calls.inboundSilenceLimitMs"), 5000),
                          duration(c.get("calls.startTimeoutMs"), 10_000),
                          duration(c.get("calls.maxUtteranceMs"), 30_000),
                          duration(c.get("calls.sttTimeoutMs"), 5000),
                          duration(c.get("calls.llmTimeoutMs"), 5000),
                          duration(c.get("calls.ttsTimeoutMs"), 4000),
                          duration(c.get("calls.hangUpTimeoutMs"), 3000),
                          duration(c.get("calls.ttsFailoverCooldownMs"), 30_000),
                          duration(c.get("calls.drainTimeoutMs"), 45_000),
                          duration(c.get("calls.sttConnectTimeoutMs"), 1500),
                          duration(c.get("calls.sttEndpointingMs"), 300),
                          duration(c.get("calls.sttUtteranceEndMs"), 1000),
                          positive(c.get("calls.ttsMaxConcurrent"), 10),
                          between(c.get("calls.readerRestMs"), 100, 0, 200),
                          between(c.get("calls.wakeTickMs"), 10, 1, 50)),
                new Security(twilioSignatures(env, publicBaseUrl), env(env, "STREAM_TOKEN_SECRET")),
                new Admission(maxConcurrentCalls(env, c.get("calls.maxConcurrentCalls")), overflowNumber(env)),
                new Instances(millis(env, "INSTANCE_HEARTBEAT_MS", c.get("instances.heartbeatMs"), 10_000),
                              millis(env, "INSTANCE_DEAD_AFTER_MS", c.get("instances.deadAfterMs"), 40_000)),
                BuiltinToolSettings.load(c),
                new Tools(toolEnvironment(env)));
    }

    private static java.util.function.Function<String, Optional<String>> toolEnvironment(Map<String, String> env) {
        Map<String, String> copy = Map.copyOf(env);
        return name -> Optional.ofNullable(copy.get(name)).filter(v -> !v.isBlank());

    }

    /** {@code PUBLIC_BASE_URL}, else Railway's {@code RAILWAY_PUBLIC_DOMAIN} (a bare host name) as {@code https://host}. */
    private static Optional<URI> publicBaseUrl(Map<String, String> env) {
        Optional<URI> explicit = env(env, "PUBLIC_BASE_URL").map(Settings::baseUri);
        if (explicit.isPresent()) {
            return explicit;
        }
        return env(env, "RAILWAY_PUBLIC_DOMAIN").map(domain -> {
            String host = domain.endsWith("/") ? domain.substring(0, domain.length() - 1) : domain;
            if (!host.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?")) {
                throw new IllegalArgumentException("RAILWAY_PUBLIC_DOMAIN is not a host name: " + domain);
            }
            return baseUri("https://" + host);
        });
    }

    /**
     * Signature checks fail closed: on, unless {@code TWILIO_SIGNATURE_CHECKS=off-for-local-development}. On
     * needs the auth token and the public URL Twilio signs; without either the server refuses to start.
     */
    private static TwilioSignatures twilioSignatures(Map<String, String> env, Optional<URI> publicBaseUrl) {
        Optional<String> mode = env(env, "TWILIO_SIGNATURE_CHECKS");
        if (mode.isPresent()) {
            if (!mode.get().equals(SIGNATURE_CHECKS_OFF)) {
                throw new IllegalArgumentException("TWILIO_SIGNATURE_CHECKS accepts only '" + SIGNATURE_CHECKS_OFF
                        + "' (local development); leave it unset to check Twilio's signatures");
            }
            return TwilioSignatures.OFF_FOR_LOCAL_DEVELOPMENT;
        }
        if (env(env, "TWILIO_AUTH_TOKEN").isEmpty()) {
            throw new IllegalArgumentException("TWILIO_AUTH_TOKEN is not set, so Twilio's request signatures cannot be"
                    + " checked: set TWILIO_AUTH_TOKEN (and PUBLIC_BASE_URL), or, for local development only, set"
                    + " TWILIO_SIGNATURE_CHECKS=" + SIGNATURE_CHECKS_OFF);
        }
        if (publicBaseUrl.isEmpty()) {
            throw new IllegalArgumentException("TWILIO_AUTH_TOKEN is set but the public URL Twilio signs is unknown:"
                    + " set PUBLIC_BASE_URL=https://<your host> (on Railway, RAILWAY_PUBLIC_DOMAIN is used when"
                    + " PUBLIC_BASE_URL is not set)");
        }
        return TwilioSignatures.ON;
    }

    private static int maxConcurrentCalls(Map<String, String> env, Config yaml) {
        String raw = env(env, "MAX_CONCURRENT_CALLS").orElse(yaml.asString().orElse(
                Integer.toString(Admission.defaultMaxConcurrentCalls(Runtime.getRuntime().availableProcessors()))));
        try {
            int max = Integer.parseInt(raw.strip());
            if (max >= 1) {
                return max;
            }
        } catch (NumberFormatException e) {
            // falls through to the same message
        }
        throw new IllegalArgumentException("MAX_CONCURRENT_CALLS (calls.maxConcurrentCalls) must be a whole number"
                                           + " of at least 1: " + raw);
    }

    private static Optional<String> overflowNumber(Map<String, String> env) {
        Optional<String> number = env(env, "OVERFLOW_NUMBER");
        if (number.isPresent() && !number.get().matches("\\+[1-9][0-9]{1,14}")) {
            throw new IllegalArgumentException("OVERFLOW_NUMBER must be an E.164 phone number such as +15550100002: "
                                               + number.get());
        }
        return number;
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
                + ", personasFile=" + personasFile + ", unconfigured=" + unconfiguredVendors()
                + ", twilioSignatures=" + security.twilioSignatures()
                + ", maxConcurrentCalls=" + admission.maxConcurrentCalls() + "]";
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

    private static Duration between(Config node, long dfltMillis, long minMillis, long maxMillis) {
        Duration value = duration(node, dfltMillis);
        if (value.toMillis() < minMillis || value.toMillis() > maxMillis) {
            throw new IllegalArgumentException(node.key() + " must be from " + minMillis + " to " + maxMillis
                                               + " (ms), not " + value.toMillis());
        }
        return value;
    }

    private static int positive(Config node, int dflt) {
        int value = node.asInt().orElse(dflt);
        if (value < 1) {
            throw new IllegalArgumentException(node.key() + " must be at least 1, not " + value);
        }
        return value;
    }

    /** Milliseconds from the environment variable {@code name}, else the YAML node, else the default. */
    private static Duration millis(Map<String, String> env, String name, Config yaml, long dfltMillis) {
        Optional<String> raw = env(env, name);
        if (raw.isEmpty()) {
            return duration(yaml, dfltMillis);
        }
        try {
            return Duration.ofMillis(Long.parseLong(raw.get()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number of milliseconds: " + raw.get());
        }
    }

    private static Duration duration(Config node, long dfltMillis) {
        return Duration.ofMillis(node.asLong().orElse(dfltMillis));
    }
}
