package dev.voiceagent.e2e;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import javax.xml.parsers.DocumentBuilderFactory;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import dev.voiceagent.Main;
import dev.voiceagent.config.Settings;
import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeElevenLabs;
import dev.voiceagent.fakes.FakeGoHighLevel;
import dev.voiceagent.fakes.FakeWebhookReceiver;
import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.TestDatabase;
import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.fakes.FakeTwilioRest;
import dev.voiceagent.twilio.TwilioSignature;

/**
 * The real server on a random port, wired by {@link Main#setup} exactly as in production, with only the
 * outside vendors replaced by local fakes that speak their documented wire formats. Calls are placed the
 * way Twilio places them: a signed webhook POST, then the media socket with the TwiML's parameters.
 */
final class AgentHarness implements AutoCloseable {

    static final String ACCOUNT_SID = "AC00000000000000000000000000000001";
    static final String AUTH_TOKEN = "twilio-test-auth-token";
    static final String PUBLIC_BASE_URL = "https://agent.example.test";
    static final String AGENT_NUMBER = "+15550100001";
    static final String GHL_TOKEN = "ghl-test-token";
    static final String GHL_LOCATION = "loc0000000000000000001";
    static final String ADMIN_KEY = "admin-test-key";

    /**
     * A persona with short phrases so tests run quickly; tests may pass their own YAML. It listens with batch
     * Whisper and answers with the plain pipeline (no speculation), whose behaviour most tests pin down;
     * {@link #speculating} turns speculation on and {@link #streaming} live transcription.
     */
    static final String DEFAULT_PERSONAS = """
            default: tester
            personas:
              - id: tester
                numbers: ["+15550100001"]
                voice: { id: voice-tester, model: eleven_flash_v2_5, fallback: asteria }
                llm: { model: "@cf/meta/llama-3.3-70b-instruct-fp8-fast", maxTokens: 200 }
                greeting: "Hello, how can I help?"
                reprompt: "Are you there?"
                goodbye: "Goodbye now."
                apology: "Sorry, say that again?"
                returningGreeting: "Welcome back, {name}."
                prompt: "You are a test agent."
                collect: [name, { reason: why they called }]
                tags: [voice-agent, test-line]
                stt: { model: "@cf/openai/whisper-large-v3-turbo" }
                turnTaking: { endOfTurnMs: 600, repromptAfterSeconds: 20, maxCallMinutes: 5,
                              speculation: { enabled: false } }
            """;

    /** The default persona with speculation on, with the given settings (YAML flow map entries). */
    static String speculating(String settings) {
        return DEFAULT_PERSONAS.replace("speculation: { enabled: false }", "speculation: { enabled: true, " + settings + " }");
    }

    /** {@code personas} listening with a live recogniser ({@code @cf/deepgram/nova-3} or {@code @cf/deepgram/flux}). */
    static String streaming(String personas, String model) {
        return personas.replace("stt: { model: \"@cf/openai/whisper-large-v3-turbo\" }", "stt: { model: \"" + model + "\" }");
    }

    private static final AtomicInteger CALLS = new AtomicInteger();

    final FakeCloudflare cloudflare = new FakeCloudflare("cf-account", "cf-token");
    final FakeElevenLabs elevenLabs = new FakeElevenLabs("el-key");
    final FakeTwilioRest twilio = new FakeTwilioRest(ACCOUNT_SID, AUTH_TOKEN);
    final FakeGoHighLevel ghl = new FakeGoHighLevel(GHL_TOKEN, GHL_LOCATION);
    final FakeWebhookReceiver webhook = new FakeWebhookReceiver();
    final Path personasFile;
    final WebServer server;
    final Main.Agent agent;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<FakeTwilioCaller> callers = new java.util.concurrent.CopyOnWriteArrayList<>();

    private AgentHarness(String personasYaml, Map<String, String> envOverrides, Map<String, String> yaml)
            throws IOException {
        personasFile = Files.createTempFile("personas", ".yaml");
        Files.writeString(personasFile, personasYaml);
        Map<String, String> env = environment(0, cloudflare, elevenLabs, twilio, personasFile);
        env.put("GHL_API_KEY", GHL_TOKEN);
        env.put("GHL_LOCATION_ID", GHL_LOCATION);
        env.put("GHL_API_BASE_URL", ghl.baseUrl());
        env.put("CRM_WEBHOOK_URL", webhook.url().toString());
        env.put("ADMIN_API_KEY", ADMIN_KEY);
        env.putAll(envOverrides);
        env.values().removeIf(v -> v == null || v.isEmpty());
        Map<String, String> settingsYaml = new HashMap<>(Map.of("calls.sttTimeoutMs", "1500",
                                                               "calls.llmTimeoutMs", "1500",
                                                               "calls.ttsTimeoutMs", "1500",
                                                               "afterCall.firstRetryMs", "50",
                                                               "afterCall.maxRetryMs", "400",
                                                               "afterCall.requestTimeoutMs", "2000",
                                                               // the fake ElevenLabs has no plan limit; load and
                                                               // latency tests measure the agent, not the bulkhead
                                                               "calls.ttsMaxConcurrent", "1000"));
        settingsYaml.putAll(yaml);
        Settings settings = Settings.load(Config.just(ConfigSources.create(settingsYaml)), env);
        WebServerConfig.Builder builder = WebServer.builder().host("127.0.0.1");
        agent = Main.setup(builder, settings);
        server = builder.build().start();
    }

    /** The server's environment (the documented contract) pointing at the given fakes. */
    static Map<String, String> environment(int port, FakeCloudflare cloudflare, FakeElevenLabs elevenLabs,
                                           FakeTwilioRest twilio, Path personasFile) {
        Map<String, String> env = new HashMap<>();
        env.put("PORT", Integer.toString(port));
        env.put("PUBLIC_BASE_URL", PUBLIC_BASE_URL);
        env.put("TWILIO_ACCOUNT_SID", ACCOUNT_SID);
        env.put("TWILIO_AUTH_TOKEN", AUTH_TOKEN);
        env.put("TWILIO_API_BASE_URL", twilio.baseUrl());
        env.put("CLOUDFLARE_ACCOUNT_ID", "cf-account");
        env.put("CLOUDFLARE_API_TOKEN", "cf-token");
        env.put("CLOUDFLARE_API_BASE_URL", cloudflare.baseUrl());
        env.put("ELEVENLABS_API_KEY", "el-key");
        env.put("ELEVENLABS_API_BASE_URL", elevenLabs.baseUrl());
        env.put("PERSONAS_FILE", personasFile.toString());
        // A database of its own per server, on the test JVM's embedded PostgreSQL.
        env.put("DATABASE_URL", TestDatabase.fresh("e2e"));
        return env;
    }

    static AgentHarness start() throws IOException {
        return new AgentHarness(DEFAULT_PERSONAS, Map.of(), Map.of());
    }

    static AgentHarness start(String personasYaml) throws IOException {
        return new AgentHarness(personasYaml, Map.of(), Map.of());
    }

    static AgentHarness start(String personasYaml, Map<String, String> env, Map<String, String> yaml) throws IOException {
        return new AgentHarness(personasYaml, env, yaml);
    }

    URI httpUri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    URI mediaUri() {
        return URI.create("ws://127.0.0.1:" + server.port() + "/twilio/media");
    }

    /** Waits until the startup warm-up has synthesized the persona's phrases, so greetings come from cache. */
    void awaitWarm(int phrases) {
        await(() -> elevenLabs.ttsCalls().size() >= phrases, Duration.ofSeconds(10), "phrase warm-up");
    }

    static String newCallSid() {
        return String.format("CA%032x", CALLS.incrementAndGet() + (System.nanoTime() << 20));
    }

    /** Posts Twilio's voice webhook, signed as Twilio signs it. */
    HttpResponse<String> postVoiceWebhook(Map<String, String> form, String signature) throws Exception {
        return post("/twilio/voice", form, signature);
    }

    HttpResponse<String> post(String path, Map<String, String> form, String signature) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(httpUri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(encode(form)));
        if (signature != null) {
            req.header("X-Twilio-Signature", signature);
        }
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String sign(String url, Map<String, String> form) {
        return new TwilioSignature(AUTH_TOKEN).sign(url, form.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue()))));
    }

    static Map<String, String> voiceForm(String callSid, String from) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("CallSid", callSid);
        form.put("AccountSid", ACCOUNT_SID);
        form.put("From", from);
        form.put("To", AGENT_NUMBER);
        form.put("CallStatus", "ringing");
        form.put("ApiVersion", "2010-04-01");
        form.put("Direction", "inbound");
        return form;
    }

    /** The stream URL and parameters of a {@code <Connect><Stream>} TwiML document. */
    record StreamTwiml(String url, Map<String, String> parameters) {
    }

    static StreamTwiml parseTwiml(String xml) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
        Element stream = (Element) doc.getElementsByTagName("Stream").item(0);
        Map<String, String> params = new LinkedHashMap<>();
        NodeList list = stream.getElementsByTagName("Parameter");
        for (int i = 0; i < list.getLength(); i++) {
            Element p = (Element) list.item(i);
            params.put(p.getAttribute("name"), p.getAttribute("value"));
        }
        return new StreamTwiml(stream.getAttribute("url"), params);
    }

    /** Places a call like Twilio does and returns the connected, started caller. */
    FakeTwilioCaller call() throws Exception {
        return call("+15557654321");
    }

    /** Places a call over a shared HTTP client (many concurrent callers). */
    FakeTwilioCaller call(java.net.http.HttpClient shared) throws Exception {
        return call("+15557654321", shared);
    }

    FakeTwilioCaller call(String from) throws Exception {
        return call(from, (String) null, null);
    }

    /** A call whose caller ID carries Twilio's SHAKEN/STIR attestation {@code stirVerstat}. */
    FakeTwilioCaller call(String from, String stirVerstat) throws Exception {
        return call(from, stirVerstat, null);
    }

    private FakeTwilioCaller call(String from, java.net.http.HttpClient shared) throws Exception {
        return call(from, null, shared);
    }

    private FakeTwilioCaller call(String from, String stirVerstat, java.net.http.HttpClient shared) throws Exception {
        String callSid = newCallSid();
        Map<String, String> form = voiceForm(callSid, from);
        if (stirVerstat != null) {
            form.put("StirVerstat", stirVerstat);
        }
        HttpResponse<String> answer = postVoiceWebhook(form, sign(PUBLIC_BASE_URL + "/twilio/voice", form));
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("webhook answered " + answer.statusCode() + ": " + answer.body());
        }
        StreamTwiml twiml = parseTwiml(answer.body());
        Map<String, String> headers = Map.of("X-Twilio-Signature", new TwilioSignature(AUTH_TOKEN).sign(twiml.url(), Map.of()));
        FakeTwilioCaller caller = shared == null ? FakeTwilioCaller.connect(mediaUri(), headers)
                : FakeTwilioCaller.connect(shared, mediaUri(), headers);
        callers.add(caller);
        caller.start(callSid, twiml.parameters());
        return caller;
    }

    /** The stored call, once {@code condition} holds for it. */
    CallDetail awaitStoredCall(String callSid, java.util.function.Predicate<CallDetail> condition, String what) {
        java.util.concurrent.atomic.AtomicReference<CallDetail> found = new java.util.concurrent.atomic.AtomicReference<>();
        await(() -> {
            java.util.Optional<CallDetail> d = agent.store().call(callSid);
            d.ifPresent(found::set);
            return d.isPresent() && condition.test(d.get());
        }, Duration.ofSeconds(15), what);
        return found.get();
    }

    /** GET on the call API with the admin key (or {@code token}, null for none). */
    HttpResponse<String> api(String pathAndQuery, String token) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(httpUri(pathAndQuery)).GET();
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> api(String pathAndQuery) throws Exception {
        return api(pathAndQuery, ADMIN_KEY);
    }

    int activeCalls() {
        return agent.calls().size();
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    private static String encode(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                          + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    @Override
    public void close() throws IOException {
        callers.forEach(FakeTwilioCaller::close);
        server.stop();
        agent.close();
        cloudflare.close();
        elevenLabs.close();
        twilio.close();
        ghl.close();
        webhook.close();
        Files.deleteIfExists(personasFile);
    }
}
