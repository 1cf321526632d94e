package dev.voiceagent.e2e;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** Health reports what is configured; without speech vendors, callers get a polite apology. */
class HealthAndConfigTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void healthReportsVendorsPersonasAndActiveCalls() throws Exception {
        try (AgentHarness h = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, Map.of("GHL_API_KEY", ""), Map.of())) {
            HttpResponse<String> res = get(h, "/observe/health");
            assertThat(res.statusCode(), is(200));
            JsonNode body = JSON.readTree(res.body());
            assertThat(body.get("status").asText(), is("UP"));
            assertThat(body.at("/checks/vendors/cloudflare").asText(), is("configured"));
            assertThat(body.at("/checks/vendors/gohighlevel").asText(), is("unconfigured"));
            assertThat(body.at("/checks/personas/status").asText(), is("UP"));
            assertThat(body.at("/checks/calls/active").asInt(), is(0));
        }
    }

    @Test
    void withoutWorkersAiTheServerStartsAndAnswersCallsWithAnApology() throws Exception {
        try (AgentHarness h = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS,
                                                 Map.of("CLOUDFLARE_ACCOUNT_ID", "", "CLOUDFLARE_API_TOKEN", ""),
                                                 Map.of())) {
            HttpResponse<String> health = get(h, "/observe/health");
            assertThat(health.statusCode(), is(503));
            assertThat(JSON.readTree(health.body()).at("/checks/vendors/cloudflare").asText(), is("unconfigured"));
            Map<String, String> form = AgentHarness.voiceForm(AgentHarness.newCallSid(), "+15557654321");
            HttpResponse<String> twiml = h.postVoiceWebhook(
                    form, AgentHarness.sign(AgentHarness.PUBLIC_BASE_URL + "/twilio/voice", form));
            assertThat(twiml.statusCode(), is(200));
            assertThat(twiml.body(), containsString("<Say>"));
            assertThat(twiml.body(), containsString("<Hangup/>"));
        }
    }

    @Test
    void aDatabaseThatCannotBeUsedStopsStartupWithAClearMessage() throws Exception {
        assertThat(startupError("not a database url"), containsString("DATABASE_URL is not a usable PostgreSQL URL"));
        // An unreachable database no longer stops startup (DatabaseDownAtStartTest); a user it refuses does.
        int port = dev.voiceagent.store.TestDatabase.port();
        String refused = startupError("postgres://no_such_agent:s3cret-pass@127.0.0.1:" + port + "/postgres");
        assertThat(refused, containsString("127.0.0.1:" + port));
        assertThat(refused, containsString("no_such_agent"));
        assertThat("the password is never shown", refused.contains("s3cret-pass"), is(false));
    }

    /** What Main.setup throws for this DATABASE_URL (the message main() logs before exiting with 2). */
    private static String startupError(String databaseUrl) throws Exception {
        java.nio.file.Path personas = java.nio.file.Files.createTempFile("personas", ".yaml");
        try {
            java.nio.file.Files.writeString(personas, AgentHarness.DEFAULT_PERSONAS);
            Map<String, String> env = Map.of("DATABASE_URL", databaseUrl, "PERSONAS_FILE", personas.toString(),
                                             "TWILIO_SIGNATURE_CHECKS", "off-for-local-development");
            dev.voiceagent.config.Settings settings = dev.voiceagent.config.Settings.load(
                    io.helidon.config.Config.empty(), env);
            long started = System.nanoTime();
            RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                    () -> dev.voiceagent.Main.setup(io.helidon.webserver.WebServer.builder().host("127.0.0.1"), settings));
            assertThat("fails fast", (System.nanoTime() - started) / 1_000_000_000L < 10, is(true));
            return e.getMessage();
        } finally {
            java.nio.file.Files.deleteIfExists(personas);
        }
    }

    @Test
    void metricsAreServedInPrometheusFormat() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            dev.voiceagent.fakes.FakeTwilioCaller caller = h.call();
            AgentHarness.await(() -> h.activeCalls() == 1, java.time.Duration.ofSeconds(10), "call start");
            caller.stop();
            AgentHarness.await(() -> h.activeCalls() == 0, java.time.Duration.ofSeconds(10), "call end");
            HttpResponse<String> res = get(h, "/observe/metrics");
            assertThat(res.statusCode(), is(200));
            assertThat(res.body(), containsString("voice_calls_started_total"));
            assertThat(res.body(), containsString("voice_calls_active"));
        }
    }

    private HttpResponse<String> get(AgentHarness h, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(h.httpUri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
