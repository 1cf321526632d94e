package dev.voiceagent.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeElevenLabs;
import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.fakes.FakeTwilioRest;
import dev.voiceagent.twilio.TwilioSignature;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/** The real server process, sent SIGTERM mid-call: the call finishes, new calls are refused, then it exits. */
class SigtermTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void sigtermDrainsTheCallInProgressThenExits() throws Exception {
        Path personas = Files.createTempFile("personas", ".yaml");
        Path log = Files.createTempFile("server", ".log");
        Files.writeString(personas, AgentHarness.DEFAULT_PERSONAS);
        int port = freePort();
        HttpClient http = HttpClient.newHttpClient();
        try (FakeCloudflare cloudflare = new FakeCloudflare("cf-account", "cf-token");
             FakeElevenLabs elevenLabs = new FakeElevenLabs("el-key");
             FakeTwilioRest twilio = new FakeTwilioRest(AgentHarness.ACCOUNT_SID, AgentHarness.AUTH_TOKEN)) {
            cloudflare.transcriber(call -> "Hello there.");
            ProcessBuilder builder = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "dev.voiceagent.Main")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(AgentHarness.environment(port, cloudflare, elevenLabs, twilio, personas));
            Process server = builder.start();
            try {
                URI base = URI.create("http://127.0.0.1:" + port);
                AgentHarness.await(() -> status(http, base.resolve("/observe/health/ready")) == 200, WAIT, "server start");

                String callSid = AgentHarness.newCallSid();
                Map<String, String> form = AgentHarness.voiceForm(callSid, "+15557654321");
                String voiceUrl = AgentHarness.PUBLIC_BASE_URL + "/twilio/voice";
                AgentHarness.StreamTwiml twiml = AgentHarness.parseTwiml(post(http, base, form, voiceUrl).body());
                try (FakeTwilioCaller caller = FakeTwilioCaller.connect(URI.create("ws://127.0.0.1:" + port + "/twilio/media"),
                        Map.of("X-Twilio-Signature", new TwilioSignature(AgentHarness.AUTH_TOKEN).sign(twiml.url(), Map.of())))) {
                    caller.start(callSid, twiml.parameters());
                    assertThat(caller.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));

                    server.destroy();   // SIGTERM
                    AgentHarness.await(() -> status(http, base.resolve("/observe/health/ready")) == 503, WAIT, "draining");
                    Map<String, String> another = AgentHarness.voiceForm(AgentHarness.newCallSid(), "+15550000000");
                    assertThat(post(http, base, another, voiceUrl).statusCode(), is(503));

                    caller.speak(clip("yes_thanks"));
                    assertThat("the call in progress is still answered after SIGTERM",
                               caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
                    assertThat(server.isAlive(), is(true));
                    caller.stop();
                }
                assertThat("exits once the last call is over", server.waitFor(15, TimeUnit.SECONDS), is(true));
                String output = Files.readString(log);
                assertThat(output, containsString("shutting down: no new calls"));
                assertThat(output, containsString("\"msg\":\"shut down\""));
            } finally {
                server.destroyForcibly();
                Files.deleteIfExists(personas);
                if (Boolean.getBoolean("keepServerLog")) { System.err.println("server log: " + log); } else { Files.deleteIfExists(log); }
            }
        }
    }

    private static HttpResponse<String> post(HttpClient http, URI base, Map<String, String> form, String signedUrl)
            throws Exception {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + java.net.URLEncoder.encode(e.getValue(), java.nio.charset.StandardCharsets.UTF_8))
                .collect(java.util.stream.Collectors.joining("&"));
        return http.send(HttpRequest.newBuilder(base.resolve("/twilio/voice"))
                                 .header("Content-Type", "application/x-www-form-urlencoded")
                                 .header("X-Twilio-Signature", AgentHarness.sign(signedUrl, form))
                                 .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                         HttpResponse.BodyHandlers.ofString());
    }

    private static int status(HttpClient http, URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
                             HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
