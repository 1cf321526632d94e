package dev.voiceagent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Logger;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.websocket.WsRouting;

import dev.voiceagent.api.CallApi;
import dev.voiceagent.console.ConsoleAccess;
import dev.voiceagent.console.ConsoleService;
import dev.voiceagent.console.phone.WebPhone;
import dev.voiceagent.edge.PhoneAccess;
import dev.voiceagent.live.LiveCalls;
import dev.voiceagent.crm.CallWebhook;
import dev.voiceagent.crm.ContactCrm;
import dev.voiceagent.crm.DeliveryWorker;
import dev.voiceagent.crm.GoHighLevelClient;
import dev.voiceagent.crm.HttpCallWebhook;
import dev.voiceagent.llm.CallExtractor;
import dev.voiceagent.llm.WorkersAiExtractor;
import dev.voiceagent.observe.StorageCheck;
import dev.voiceagent.store.CallJournal;
import dev.voiceagent.store.CallStore;
import dev.voiceagent.store.CallerHistory;
import dev.voiceagent.store.Database;
import dev.voiceagent.store.DeferredCallStore;
import dev.voiceagent.store.InstanceHeartbeat;
import dev.voiceagent.store.Instances;
import dev.voiceagent.store.RedeemedTokens;
import dev.voiceagent.store.StoreException;
import dev.voiceagent.call.CallRegistry;
import dev.voiceagent.call.CallServices;
import dev.voiceagent.call.Ticker;
import dev.voiceagent.call.TwilioSocketListener;
import dev.voiceagent.config.Settings;
import dev.voiceagent.llm.LanguageModel;
import dev.voiceagent.llm.WorkersAiChat;
import dev.voiceagent.observe.CallMetrics;
import dev.voiceagent.observe.HealthService;
import dev.voiceagent.observe.ShutdownSafeLogManager;
import dev.voiceagent.persona.CallerMemory;
import dev.voiceagent.persona.Persona;
import dev.voiceagent.persona.PersonaCatalog;
import dev.voiceagent.persona.PersonaConfigException;
import dev.voiceagent.stt.LiveRecognizers;
import dev.voiceagent.stt.SpeechToText;
import dev.voiceagent.stt.StreamingSpeechToText;
import dev.voiceagent.stt.WorkersAiFlux;
import dev.voiceagent.stt.WorkersAiNova3;
import dev.voiceagent.stt.WorkersAiWhisper;
import dev.voiceagent.tools.ToolKit;
import dev.voiceagent.tts.ElevenLabsTts;
import dev.voiceagent.tts.PhraseCache;
import dev.voiceagent.tts.PhraseWarmer;
import dev.voiceagent.tts.SpeechSynthesizer;
import dev.voiceagent.tts.VoiceRouter;
import dev.voiceagent.tts.WorkersAiAuraTts;
import dev.voiceagent.twilio.CallControl;
import dev.voiceagent.twilio.HandshakeVerifier;
import dev.voiceagent.twilio.SharedTokenLedger;
import dev.voiceagent.twilio.SignatureCheck;
import dev.voiceagent.twilio.StreamTokens;
import dev.voiceagent.twilio.TwilioRestCalls;
import dev.voiceagent.twilio.TwilioSignature;
import dev.voiceagent.twilio.TwilioWebhook;
import dev.voiceagent.twilio.WhisperRoute;
import dev.voiceagent.twilio.WhisperTokens;
import dev.voiceagent.tools.builtin.BuiltinMakers;
import dev.voiceagent.tools.builtin.BuiltinToolFactory;
import dev.voiceagent.tools.builtin.BuiltinToolSettings;
import dev.voiceagent.vendor.CloudflareAccount;
import dev.voiceagent.vendor.VendorException;

/** Starts the voice agent: reads settings, wires the parts, serves HTTP and the media socket. */
public final class Main {

    static {
        // Must precede the first Logger: keeps logging alive while calls drain at shutdown.
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", ShutdownSafeLogManager.class.getName());
        }
    }

    private static final Logger LOG = Logger.getLogger(Main.class.getName());
    /** How long a stream token from the webhook stays valid; an answered call holds its place this long. */
    static final Duration STREAM_TOKEN_LIFETIME = Duration.ofMinutes(2);
    /** Bound on asking the database whether a stream token was used on another instance; past it, it counts as new. */
    private static final Duration STREAM_TOKEN_LEDGER_WAIT = Duration.ofMillis(300);
    /** Server-wide request body cap: the largest route limit (Twilio's webhooks); the API's is smaller. */
    static final long MAX_PAYLOAD_BYTES = TwilioWebhook.MAX_BODY_BYTES;
    /** How long a sentence waits for an ElevenLabs slot (calls.ttsMaxConcurrent) before the fallback speaks it. */
    private static final Duration TTS_PERMIT_WAIT = Duration.ofMillis(250);

    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        Config config = Config.builder()
                .disableEnvironmentVariablesSource()   // the env contract is mapped explicitly by Settings
                .addSource(ConfigSources.file("config/application.yaml").optional())
                .addSource(ConfigSources.classpath("application.yaml").optional())
                .build();
        Settings settings;
        try {
            settings = Settings.load(config.get("voice-agent"), System.getenv());
        } catch (IllegalArgumentException e) {
            LOG.severe("invalid configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        // Helidon's own hook would stop the server at once on SIGTERM, cutting live calls; ours drains first.
        WebServerConfig.Builder builder = WebServer.builder().config(config.get("server")).shutdownHook(false);
        Agent agent;
        try {
            agent = setup(builder, settings);
        } catch (PersonaConfigException | StoreException | IllegalArgumentException e) {
            LOG.severe("cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        WebServer server = builder.build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> agent.shutdown(server), "graceful-shutdown"));
        LOG.info("voice agent listening on port " + server.port() + "; " + settings);
        if (Boolean.getBoolean("voiceagent.exitAfterStart")) {
            // Image build training run for the ahead-of-time class cache: start, then exit cleanly.
            System.exit(0);
        }
    }

    /**
     * Wires the whole server onto {@code server}: the Twilio webhook, the media socket, health. Used by
     * {@link #main} and by tests, which point {@code settings} at local fake vendors.
     *
     * @return the running parts, to close when the server stops
     * @throws PersonaConfigException when the personas file is missing or invalid
     */
    public static Agent setup(WebServerConfig.Builder server, Settings settings) {
        // The built-in tools' vendor clients and factory; personas are checked, and their tools made, against it.
        BuiltinToolFactory builtinTools = builtinTools(settings, tokenSecret(settings));
        PersonaCatalog personas = PersonaCatalog.open(settings.personasFile(), Duration.ofSeconds(2),
                new ToolKit(BuiltinMakers.of(builtinTools, settings.builtinTools(), settings.tools().environment()),
                            settings.tools().environment(), Clock.systemUTC()));
        Database database;
        try {
            // A DATABASE_URL database that cannot be reached is a blip, not a reason to leave no instance answering:
            // start with storage degraded and connect in the background (misconfiguration still stops startup).
            database = Database.openOrRetry(settings.databaseUrl(), settings.dataDir(), Duration.ofSeconds(1),
                                            Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            personas.close();
            throw e;
        }
        warnIfReplicasCannotShare(settings, database);
        // Unique per process start, never reused: a restarted process must not claim the calls its previous life left.
        String instanceId = UUID.randomUUID().toString();
        CallStore store = new DeferredCallStore(database, instanceId);
        // Calls in progress for the live console, fed by what the calls record (both transports record through the journal).
        LiveCalls live = new LiveCalls();
        CallJournal journal = new CallJournal(store, 100_000, live);
        CallMetrics metrics = CallMetrics.global();
        Settings.Calls calls = settings.calls();

        Optional<CloudflareAccount> cloudflare = settings.cloudflare().configured()
                ? Optional.of(new CloudflareAccount(settings.cloudflare().apiBase(),
                                                    settings.cloudflare().accountId().orElseThrow(),
                                                    settings.cloudflare().apiToken().orElseThrow()))
                : Optional.empty();
        SpeechToText stt = cloudflare.<SpeechToText>map(cf -> new WorkersAiWhisper(
                        cf, settings.cloudflare().sttModel(), settings.cloudflare().sttLanguage(), calls.sttTimeout()))
                .orElse(wav -> {
                    throw unconfigured("cloudflare");
                });
        LanguageModel llm = cloudflare.<LanguageModel>map(cf -> new WorkersAiChat(cf, calls.llmTimeout()))
                .orElse((request, sink) -> {
                    throw unconfigured("cloudflare");
                });
        Optional<SpeechSynthesizer> elevenLabs = settings.elevenLabs().apiKey()
                .map(key -> new ElevenLabsTts(settings.elevenLabs().apiBase(), key, calls.ttsTimeout()));
        SpeechSynthesizer aura = cloudflare.<SpeechSynthesizer>map(cf -> new WorkersAiAuraTts(cf, calls.ttsTimeout()))
                .orElse((request, sink) -> {
                    throw unconfigured("cloudflare");
                });
        PhraseCache phrases = new PhraseCache(256, 8 * 30_000);
        VoiceRouter voices = new VoiceRouter(elevenLabs, aura, phrases, calls.ttsFailoverCooldown(),
                                             calls.ttsMaxConcurrent(), TTS_PERMIT_WAIT, System::nanoTime,
                                             e -> metrics.vendorError(e.vendor(), e.kind().name()),
                                             reason -> metrics.ttsFallback(reason.tag()));
        CallControl callControl = settings.twilio().configured()
                ? new TwilioRestCalls(settings.twilio().apiBase(), settings.twilio().accountSid().orElseThrow(),
                                      settings.twilio().authToken().orElseThrow(), calls.hangUpTimeout())
                : CallControl.unconfigured();
        SignatureCheck signatures = signatureCheck(settings);
        // Single use across instances through the database, asked for at most STREAM_TOKEN_LEDGER_WAIT per call start.
        RedeemedTokens redeemed = new RedeemedTokens(database::client);
        StreamTokens tokens = new StreamTokens(tokenSecret(settings), STREAM_TOKEN_LIFETIME, Clock.systemUTC(),
                                               new SharedTokenLedger(new StreamTokens.LocalLedger(Clock.systemUTC()),
                                                                     redeemed::firstUse, STREAM_TOKEN_LEDGER_WAIT));
        CallRegistry registry = new CallRegistry(settings.admission().maxConcurrentCalls(), STREAM_TOKEN_LIFETIME,
                                                 System::nanoTime);
        Settings.AfterCall afterCall = settings.afterCall();
        LiveRecognizers recognizers = cloudflare.map(cf -> new LiveRecognizers(
                        Optional.<StreamingSpeechToText>of(new WorkersAiNova3(cf, settings.cloudflare().sttLanguage(),
                                                                              calls.sttEndpointing(), calls.sttUtteranceEnd(),
                                                                              calls.sttConnectTimeout())),
                        Optional.<StreamingSpeechToText>of(new WorkersAiFlux(cf, 0.7, 0.5, Duration.ofMillis(5000),
                                                                             calls.sttConnectTimeout()))))
                .orElse(LiveRecognizers.none());
        Ticker ticker = new Ticker(calls.wakeTick(), System::nanoTime);
        CallServices services = new CallServices(calls, personas, stt, recognizers, llm, voices, callControl, tokens,
                                                 registry, metrics, journal,
                                                 new CallerHistory(store, 3, Duration.ofMillis(300)),
                                                 afterCall.giveUpAfter(), System::nanoTime, ticker,
                                                 Clock.systemDefaultZone());
        Optional<ContactCrm> crm = settings.goHighLevel().configured()
                ? Optional.of(new GoHighLevelClient(settings.goHighLevel().apiBase(),
                                                    settings.goHighLevel().apiKey().orElseThrow(),
                                                    settings.goHighLevel().locationId().orElseThrow(),
                                                    afterCall.requestTimeout()))
                : Optional.empty();
        Optional<CallWebhook> webhook = afterCall.webhookUrl()
                .map(url -> new HttpCallWebhook(url, afterCall.requestTimeout()));
        Optional<CallExtractor> extractor = cloudflare.map(cf -> new WorkersAiExtractor(cf, afterCall.requestTimeout()));
        DeliveryWorker worker = new DeliveryWorker(store, personas, extractor, crm, webhook, afterCall, metrics,
                                                   Clock.systemUTC()).start();
        // Other instances on the same database take over this one's calls if it dies, and it theirs.
        InstanceHeartbeat heartbeat = new InstanceHeartbeat(new Instances(database::client, instanceId, hostName()),
                                                            settings.instances().heartbeat(),
                                                            settings.instances().deadAfter(), afterCall.giveUpAfter(),
                                                            Clock.systemUTC()).start();

        WhisperRoute whisper = new WhisperRoute(signatures, builtinTools.whispers());

        boolean agentCanRun = cloudflare.isPresent();
        Map<String, Boolean> vendors = new LinkedHashMap<>();
        vendors.put("twilio", settings.twilio().configured());
        vendors.put("cloudflare", settings.cloudflare().configured());
        vendors.put("elevenlabs", settings.elevenLabs().configured());
        vendors.put("gohighlevel", settings.goHighLevel().configured());
        settings.unconfiguredVendors().forEach(v -> LOG.warning("vendor not configured: " + v));
        if (!agentCanRun) {
            LOG.warning("calls will be answered with an apology until Cloudflare Workers AI is configured");
        }

        HandshakeVerifier handshake = new HandshakeVerifier(signatures);
        // One gate for the console's pages, its data and the web phone's page and socket.
        ConsoleAccess consoleAccess = new ConsoleAccess(settings.adminApiKey(), settings.publicBaseUrl(), Clock.systemUTC());
        PhoneAccess phoneAccess = consoleAccess::allows;
        LOG.info("admission: at most " + settings.admission().maxConcurrentCalls() + " concurrent calls; beyond that "
                 + settings.admission().overflowNumber().map(n -> "calls are forwarded to OVERFLOW_NUMBER")
                         .orElse("callers hear that the lines are busy"));
        // Helidon's default body limit is unlimited: cap every request body (413 before reading it).
        if (server.maxPayloadSize() < 0 || server.maxPayloadSize() > MAX_PAYLOAD_BYTES) {
            server.maxPayloadSize(MAX_PAYLOAD_BYTES);
        }
        server.port(settings.port())
                .routing(r -> r
                        .register(WhisperRoute.PATH, whisper)
                        .register("/twilio", new TwilioWebhook(signatures, settings.publicBaseUrl(), personas, tokens,
                                                               () -> agentCanRun, registry::draining, registry::admit,
                                                               settings.admission().overflowNumber(), metrics,
                                                               (persona, from, verstat) -> welcome(persona, from, verstat,
                                                                                                   services.history()),
                                                               journal::sessionOutcome))
                        .register("/observe", new HealthService(vendors, personas, registry::size, agentCanRun,
                                                                registry::draining, () -> storageCheck(database, journal, worker, instanceId),
                                                                Map.of("twilioSignatures", signatures.describe())))
                        .register(WebPhone.PATH, new WebPhone(personas, phoneAccess))
                        .register("/", new CallApi(store, personas, settings.adminApiKey()))
                        .register("/", new ConsoleService(consoleAccess, store, personas, live)))
                .addRouting(WsRouting.builder()
                                    .endpoint("/twilio/media", () -> TwilioSocketListener.mediaStream(services, handshake))
                                    .endpoint("/twilio/relay", () -> TwilioSocketListener.relay(services, handshake))
                                    .endpoint(WebPhone.SOCKET_PATH, () -> TwilioSocketListener.webPhone(services, phoneAccess)));

        // Re-warmed after every personas edit; retried (5 s doubling to 2 min, 8 rounds) while a vendor is down.
        PhraseWarmer warmer = agentCanRun
                ? PhraseWarmer.start(personas, voices, elevenLabs.isPresent(), Duration.ofSeconds(5),
                                     Duration.ofMinutes(2), 8)
                : PhraseWarmer.none();
        return new Agent(personas, registry, ticker, warmer, calls.drainTimeout(), database, store, journal, worker, live,
                         consoleAccess, heartbeat);
    }

    /**
     * The built-in tools' own clients: GoHighLevel and Twilio with the tools' short request timeout and bounded
     * rate-limit wait (a caller is listening), apart from the after-call push's patient client. Without credentials
     * the clients refuse each request as unconfigured, and the tools answer the model that they are not set up.
     */
    static BuiltinToolFactory builtinTools(Settings settings, byte[] secret) {
        BuiltinToolSettings tools = settings.builtinTools();
        GoHighLevelClient ghl = new GoHighLevelClient(settings.goHighLevel().apiBase(),
                                                      settings.goHighLevel().apiKey().orElse(""),
                                                      settings.goHighLevel().locationId().orElse(""),
                                                      tools.requestTimeout(), tools.maxRateLimitWait());
        TwilioRestCalls twilio = new TwilioRestCalls(settings.twilio().apiBase(),
                                                     settings.twilio().accountSid().orElse(""),
                                                     settings.twilio().authToken().orElse(""), tools.requestTimeout());
        return new BuiltinToolFactory(ghl, ghl, twilio, twilio,
                                      new WhisperTokens(secret, tools.whisperLifetime(), Clock.systemUTC()),
                                      settings.publicBaseUrl(), tools, Clock.systemUTC());
    }

    /** Signature checks as settled by {@link Settings}: enforced, or off only when explicitly asked for. */
    private static SignatureCheck signatureCheck(Settings settings) {
        if (settings.security().twilioSignatures() == Settings.TwilioSignatures.OFF_FOR_LOCAL_DEVELOPMENT) {
            LOG.warning("!!! Twilio signature checks are OFF (TWILIO_SIGNATURE_CHECKS=off-for-local-development): anyone"
                        + " who can reach this server can start calls on it and spend vendor credit. Local development"
                        + " only: unset TWILIO_SIGNATURE_CHECKS and set TWILIO_AUTH_TOKEN for anything public. !!!");
            return new SignatureCheck.OffForLocalDevelopment();
        }
        // Settings refuses ON without the token or a public URL.
        return new SignatureCheck.Enforced(new TwilioSignature(settings.twilio().authToken().orElseThrow()),
                                           settings.publicBaseUrl().orElseThrow());
    }

    /**
     * A ConversationRelay call's welcome greeting: Twilio speaks it before the call's socket opens, so a returning
     * caller is looked up here (bounded, like the media-stream call's lookup) and greeted by name only as far as
     * the persona's {@code memory} and the number's attestation allow.
     */
    static String welcome(Persona persona, String from, String verstat, CallerHistory history) {
        CallerMemory memory = CallerMemory.granted(persona.memory(), Optional.ofNullable(verstat).filter(v -> !v.isBlank()));
        if (memory == CallerMemory.OFF || persona.returningGreeting().isBlank()) {
            return persona.greeting();
        }
        return memory.greetingName(CallerHistory.name(history.recall(from)))
                .map(name -> persona.returningGreeting().replace("{name}", name))
                .orElse(persona.greeting());
    }

    private static StorageCheck storageCheck(Database database, CallJournal journal, DeliveryWorker worker,
                                             String instanceId) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("instance", instanceId);
        // Health is public: the kind of database, never its address or user.
        details.put("database", database.embedded() ? "embedded PostgreSQL" : "PostgreSQL (DATABASE_URL)");
        details.put("connected", database.connected());
        details.put("recordsWaiting", journal.pending());
        details.put("afterCallBacklog", worker.backlog());
        return new StorageCheck(database.connected() && !journal.databaseDown(), details);
    }

    /**
     * Stream tokens must verify on whichever instance Twilio's socket reaches, so the key is derived from a secret
     * all instances share: {@code STREAM_TOKEN_SECRET}, else the Twilio auth token. Without either (local development
     * only: signature checks are off), a per-process random key, which only this instance can verify.
     */
    private static byte[] tokenSecret(Settings settings) {
        Optional<String> shared = settings.security().streamTokenSecret().or(() -> settings.twilio().authToken());
        if (shared.isEmpty()) {
            if (settings.databaseUrl().isPresent()) {
                LOG.warning("neither STREAM_TOKEN_SECRET nor TWILIO_AUTH_TOKEN is set: stream tokens are keyed per"
                            + " process, so with several instances a media stream reaching another instance than the"
                            + " one that answered the webhook is refused. Set the same STREAM_TOKEN_SECRET on every instance.");
            }
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            return random;
        }
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest(("voice-agent stream token|" + shared.get()).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The embedded database lives inside one process: replicas each get their own, so calls, the outbox and the
     * take-over of a dead instance are not shared. Railway (detected by its {@code RAILWAY_*} variables) runs
     * replicas; say so loudly there. Without a platform hint nothing can tell, and a single instance is fine.
     */
    private static void warnIfReplicasCannotShare(Settings settings, Database database) {
        if (!database.embedded()) {
            return;
        }
        if (System.getenv().keySet().stream().anyMatch(name -> name.startsWith("RAILWAY_"))) {
            LOG.warning("!!! DATABASE_URL is not set, so this instance uses its own embedded PostgreSQL under "
                        + settings.dataDir() + ". Replicas each get a separate database: a call answered by one and"
                        + " streamed to another, the after-call outbox and the take-over of a dead instance's calls"
                        + " all need ONE shared PostgreSQL. Run a single replica, or set DATABASE_URL (e.g. Railway's"
                        + " ${{Postgres.DATABASE_URL}}) on every replica. !!!");
        }
    }

    /** Where this instance runs, for people reading the instances table: the replica or host name. */
    private static String hostName() {
        Map<String, String> env = System.getenv();
        for (String name : new String[] {"RAILWAY_REPLICA_ID", "HOSTNAME"}) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return value.strip();
            }
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static VendorException unconfigured(String vendor) {
        return new VendorException(vendor, VendorException.Kind.UNCONFIGURED, 0, "no credentials configured");
    }

    /** The running parts of the agent that outlive {@link #setup}. */
    public record Agent(PersonaCatalog personas, CallRegistry calls, Ticker ticker, PhraseWarmer warmer, Duration drainTimeout,
                        Database database, CallStore store, CallJournal journal, DeliveryWorker worker, LiveCalls live,
                        ConsoleAccess consoleAccess, InstanceHeartbeat heartbeat)
            implements AutoCloseable {

        /** After the drain, calls still going are ended and get this long to hang up and close. */
        public static final Duration END_CALLS_WAIT = Duration.ofSeconds(5);
        /** Bound on stopping the HTTP server. */
        public static final Duration HTTP_STOP_WAIT = Duration.ofSeconds(3);
        /**
         * Bound on {@link #close()}: the journal's last records (5 s), the after-call worker (5 s), marking this
         * instance stopped (2 s and one write) and the database (the pool, then the embedded PostgreSQL's own stop).
         * Past it the process exits anyway.
         */
        public static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

        /**
         * The longest {@link #shutdown} can take with this drain timeout: the platform's SIGTERM-to-SIGKILL delay
         * ({@code drainingSeconds} in railway.toml) must be longer, or the last steps are cut by SIGKILL.
         */
        public static Duration worstCaseShutdown(Duration drainTimeout) {
            return drainTimeout.plus(END_CALLS_WAIT).plus(HTTP_STOP_WAIT).plus(CLOSE_WAIT);
        }

        /**
         * Graceful shutdown (SIGTERM): stop taking new calls, let the calls in progress finish for at most
         * {@link #drainTimeout}, end the rest, then stop the server and close. Every step is bounded, the
         * whole at most {@link #worstCaseShutdown}.
         */
        public void shutdown(WebServer server) {
            calls.startDraining();
            LOG.info("shutting down: no new calls; waiting up to " + drainTimeout.toSeconds() + " s for "
                     + calls.size() + " call(s) in progress");
            try {
                if (!calls.awaitEmpty(drainTimeout)) {
                    LOG.warning("drain time over; ending " + calls.size() + " call(s)");
                    calls.endAll("server shutting down");
                    calls.awaitEmpty(END_CALLS_WAIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            live.close(); // ends the console's live streams, so the server stops at once
            bounded("stopping the HTTP server", server::stop, HTTP_STOP_WAIT);
            bounded("closing storage and background work", this::close, CLOSE_WAIT);
            LOG.info("shut down");
        }

        private static void bounded(String what, Runnable step, Duration bound) {
            Thread worker = Thread.ofPlatform().daemon().name("shutdown-step").start(step);
            try {
                if (!worker.join(bound)) {
                    LOG.warning("shutdown: gave up " + what + " after " + bound.toSeconds() + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Stops the background parts; the calls' last records get a few seconds to reach the database. */
        @Override
        public void close() {
            live.close();
            warmer.close();
            personas.close();
            journal.close(Duration.ofSeconds(5));
            worker.close();
            // After the last records: a call the journal could not close is taken over by another instance at once.
            heartbeat.close();
            database.close();
            ticker.close();
        }
    }
}
