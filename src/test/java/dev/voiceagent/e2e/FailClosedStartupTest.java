package dev.voiceagent.e2e;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeElevenLabs;
import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.fakes.FakeTwilioRest;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/**
 * Twilio signature checks fail closed. A server without TWILIO_AUTH_TOKEN refuses to start and says what to
 * set, unless checks are explicitly off for local development, which it then logs loudly and shows in
 * health; a token without a public URL refuses to start too; on Railway its public domain is the URL.
 */
class FailClosedStartupTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void withoutTheTokenTheServerProcessRefusesToStartAndSaysWhatToSet() throws Exception {
        ServerProcess.Exited exited = ServerProcess.runUntilExit(bareEnvironment(Map.of()), WAIT);
        assertThat(exited.code(), is(2));
        assertThat(exited.output(), containsString("TWILIO_AUTH_TOKEN is not set"));
        assertThat(exited.output(), containsString("TWILIO_SIGNATURE_CHECKS=off-for-local-development"));
    }

    @Test
    void aTokenWithoutAnyPublicUrlRefusesToStartNamingBothVariables() throws Exception {
        ServerProcess.Exited exited = ServerProcess.runUntilExit(
                bareEnvironment(Map.of("TWILIO_AUTH_TOKEN", AgentHarness.AUTH_TOKEN)), WAIT);
        assertThat(exited.code(), is(2));
        assertThat(exited.output(), containsString("PUBLIC_BASE_URL"));
        assertThat(exited.output(), containsString("RAILWAY_PUBLIC_DOMAIN"));
    }

    @Test
    void withTheDevelopmentSettingItStartsWarnsLoudlyShowsItInHealthAndChecksNothing() throws Exception {
        Path personas = Files.createTempFile("personas", ".yaml");
        Files.writeString(personas, AgentHarness.DEFAULT_PERSONAS);
        int port = ServerProcess.freePort();
        try (FakeCloudflare cloudflare = new FakeCloudflare("cf-account", "cf-token");
             FakeElevenLabs elevenLabs = new FakeElevenLabs("el-key");
             FakeTwilioRest twilio = new FakeTwilioRest(AgentHarness.ACCOUNT_SID, AgentHarness.AUTH_TOKEN)) {
            Map<String, String> env = AgentHarness.environment(port, cloudflare, elevenLabs, twilio, personas);
            env.remove("TWILIO_AUTH_TOKEN");
            env.remove("PUBLIC_BASE_URL");
            env.put("TWILIO_SIGNATURE_CHECKS", "off-for-local-development");
            try (ServerProcess server = ServerProcess.start(env, port, WAIT)) {
                JsonNode health = JSON.readTree(get(server.base.resolve("/observe/health").toString()));
                assertThat(health.at("/security/twilioSignatures").asText(), startsWith("OFF"));
                String startup = server.output();
                assertThat(startup, containsString("\"level\":\"WARNING\""));
                assertThat(startup, containsString("Twilio signature checks are OFF"));

                // Unsigned webhook and handshake: accepted, as the setting says.
                String twiml = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(server.base.resolve("/twilio/voice"))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString("CallSid=" + AgentHarness.newCallSid()
                                                                          + "&From=%2B15557654321&To=%2B15550100001"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                AgentHarness.StreamTwiml stream = AgentHarness.parseTwiml(twiml);
                assertThat(stream.url(), is("ws://127.0.0.1:" + port + "/twilio/media"));
                try (FakeTwilioCaller caller = FakeTwilioCaller.connect(
                        java.net.URI.create("ws://127.0.0.1:" + port + "/twilio/media"), Map.of())) {
                    assertThat(caller.isClosed(), is(false));
                }
            }
        } finally {
            Files.deleteIfExists(personas);
        }
    }

    @Test
    void withTheTokenHealthShowsTheChecksOn() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            JsonNode health = JSON.readTree(get(h.httpUri("/observe/health").toString()));
            assertThat(health.at("/security/twilioSignatures").asText(), is("ON"));
        }
    }

    @Test
    void onRailwayThePublicDomainIsTheUrlTwilioSigns() throws Exception {
        try (AgentHarness h = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS,
                                                 Map.of("PUBLIC_BASE_URL", "", "RAILWAY_PUBLIC_DOMAIN", "agent.example.test"),
                                                 Map.of())) {
            // h.call() signs for https://agent.example.test/twilio/voice and the media URL, as Twilio would.
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitAudioAfter(0, WAIT) > 0, is(true));
            caller.stop();
            Map<String, String> form = AgentHarness.voiceForm(AgentHarness.newCallSid(), "+15557654321");
            String twiml = h.postVoiceWebhook(form, AgentHarness.sign("https://agent.example.test/twilio/voice", form)).body();
            assertThat(AgentHarness.parseTwiml(twiml).url(), is("wss://agent.example.test/twilio/media"));
            assertThat(h.postVoiceWebhook(form, AgentHarness.sign("http://127.0.0.1/twilio/voice", form)).statusCode(),
                       is(403));
        }
    }

    /** Just enough for Main to get as far as the settings check. */
    private static Map<String, String> bareEnvironment(Map<String, String> extra) throws java.io.IOException {
        Map<String, String> env = new HashMap<>();
        env.put("PORT", Integer.toString(ServerProcess.freePort()));
        env.put("DATA_DIR", Path.of("target", "fail-closed-never-used").toAbsolutePath().toString());
        env.putAll(extra);
        return env;
    }

    private static String get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(java.net.URI.create(url)).GET().build(),
                                               HttpResponse.BodyHandlers.ofString()).body();
    }
}
