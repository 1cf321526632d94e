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
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeElevenLabs;
import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.fakes.FakeTwilioRest;
import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.Database;
import dev.voiceagent.store.PostgresCallStore;
import dev.voiceagent.store.TurnRecord;
import dev.voiceagent.twilio.TwilioSignature;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

/**
 * The real server process killed with SIGKILL in the middle of a call: every finished turn is already in
 * the database, and the next server start closes the cut-off call and still sends it to the CRM.
 */
class KillDashNineTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Duration QUIET = Duration.ofMillis(700);

    @Test
    void turnsSurviveAKillAndTheCutOffCallStillReachesTheCrm() throws Exception {
        Path personas = Files.createTempFile("personas", ".yaml");
        Path log = Files.createTempFile("server", ".log");
        Files.writeString(personas, AgentHarness.DEFAULT_PERSONAS);
        int port = freePort();
        HttpClient http = HttpClient.newHttpClient();
        String callSid = AgentHarness.newCallSid();
        Map<String, String> env;
        java.time.Instant startedAt;
        try (FakeCloudflare cloudflare = new FakeCloudflare("cf-account", "cf-token");
             FakeElevenLabs elevenLabs = new FakeElevenLabs("el-key");
             FakeTwilioRest twilio = new FakeTwilioRest(AgentHarness.ACCOUNT_SID, AgentHarness.AUTH_TOKEN)) {
            cloudflare.queueTranscripts("I would like to book an appointment for next Tuesday.");
            cloudflare.queueReplies("Sure. What time works for you?");
            env = AgentHarness.environment(port, cloudflare, elevenLabs, twilio, personas);
            ProcessBuilder builder = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "dev.voiceagent.Main")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(env);
            Process server = builder.start();
            try (Database db = Database.open(Optional.of(env.get("DATABASE_URL")), Path.of("unused"))) {
                PostgresCallStore store = new PostgresCallStore(db.client());
                URI base = URI.create("http://127.0.0.1:" + port);
                AgentHarness.await(() -> status(http, base.resolve("/observe/health/ready")) == 200, WAIT, "server start");
                Map<String, String> form = AgentHarness.voiceForm(callSid, "+15551230009");
                AgentHarness.StreamTwiml twiml = AgentHarness.parseTwiml(post(http, base, form).body());
                try (FakeTwilioCaller caller = FakeTwilioCaller.connect(URI.create("ws://127.0.0.1:" + port + "/twilio/media"),
                        Map.of("X-Twilio-Signature", new TwilioSignature(AgentHarness.AUTH_TOKEN).sign(twiml.url(), Map.of())))) {
                    caller.start(callSid, twiml.parameters());
                    assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
                    caller.speak(clip("book_appointment"));
                    assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
                    assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
                    AgentHarness.await(() -> store.call(callSid).map(d -> d.turns().size() == 3).orElse(false),
                                       WAIT, "turns stored");

                    server.destroyForcibly();   // SIGKILL: no shutdown hook, no flush
                    assertThat(server.waitFor(10, TimeUnit.SECONDS), is(true));
                }
                CallDetail afterKill = store.call(callSid).orElseThrow();
                startedAt = afterKill.call().startedAt();
                assertThat(afterKill.call().status(), is("in_progress"));
                assertThat(afterKill.turns().stream().map(TurnRecord::text).toList(),
                           contains("Hello, how can I help?", "I would like to book an appointment for next Tuesday.",
                                    "Sure. What time works for you?"));
            } finally {
                server.destroyForcibly();
                if (Boolean.getBoolean("keepServerLog")) {
                    System.err.println("server log: " + log);
                } else {
                    Files.deleteIfExists(log);
                }
                Files.deleteIfExists(personas);
            }
        }

        // The next start finds the call cut off (its persona allows 6 s calls) and sends what was stored.
        long untilStale = java.time.Instant.now().until(startedAt.plusSeconds(7), java.time.temporal.ChronoUnit.MILLIS);
        if (untilStale > 0) {
            Thread.sleep(untilStale);
        }
        String shortCalls = AgentHarness.DEFAULT_PERSONAS.replace("maxCallMinutes: 5", "maxCallMinutes: 0.1");
        try (AgentHarness next = AgentHarness.start(shortCalls, Map.of("DATABASE_URL", env.get("DATABASE_URL")),
                                                    Map.of("afterCall.staleCallMarginMs", "0"))) {
            next.cloudflare.queueJsonAnswer("{\"summary\":\"The caller wanted an appointment; the call dropped.\",\"facts\":{}}");
            CallDetail delivered = next.awaitStoredCall(callSid, d -> AfterCallTest.delivered(d, "gohighlevel"),
                                                        "the cut-off call delivered");
            assertThat(delivered.call().status(), is("abandoned"));
            assertThat(next.ghl.notes().size(), is(1));
            assertThat(next.ghl.tagsAdded().getFirst().tags(), hasItem("call-dropped"));
        }
    }

    private static HttpResponse<String> post(HttpClient http, URI base, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + java.net.URLEncoder.encode(e.getValue(), java.nio.charset.StandardCharsets.UTF_8))
                .collect(java.util.stream.Collectors.joining("&"));
        return http.send(HttpRequest.newBuilder(base.resolve("/twilio/voice"))
                                 .header("Content-Type", "application/x-www-form-urlencoded")
                                 .header("X-Twilio-Signature", AgentHarness.sign(AgentHarness.PUBLIC_BASE_URL + "/twilio/voice", form))
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
