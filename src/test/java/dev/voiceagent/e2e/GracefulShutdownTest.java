package dev.voiceagent.e2e;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeTwilioCaller;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/** Shutting down stops new calls, lets calls in progress finish within a bound, then stops. */
class GracefulShutdownTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aCallInProgressFinishesWhileNewCallsAreRefused() throws Exception {
        try (AgentHarness h = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, Map.of(),
                                                 Map.of("calls.drainTimeoutMs", "20000"))) {
            h.cloudflare.transcriber(call -> "Hello there.");
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));

            long started = System.nanoTime();
            CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> h.agent.shutdown(h.server));
            AgentHarness.await(() -> h.agent.calls().draining(), WAIT, "draining");

            Map<String, String> form = AgentHarness.voiceForm(AgentHarness.newCallSid(), "+15550000000");
            assertThat(h.postVoiceWebhook(form, AgentHarness.sign(AgentHarness.PUBLIC_BASE_URL + "/twilio/voice", form))
                               .statusCode(), is(503));
            assertThat(status(h, "/observe/health/ready"), is(503));
            assertThat(status(h, "/observe/health/live"), is(200));

            caller.speak(clip("yes_thanks"));
            assertThat("the call in progress is still answered",
                       caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            assertThat(shutdown.isDone(), is(false));
            caller.stop();
            shutdown.get();
            assertThat("shutdown followed the last call, not the drain bound",
                       (System.nanoTime() - started) / 1_000_000, lessThan(15_000L));
        }
    }

    @Test
    void callsStillGoingWhenTheDrainTimeRunsOutAreEnded() throws Exception {
        try (AgentHarness h = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, Map.of(),
                                                 Map.of("calls.drainTimeoutMs", "1500"))) {
            FakeTwilioCaller caller = h.call();
            AgentHarness.await(() -> h.activeCalls() == 1, WAIT, "the call to start");
            h.agent.shutdown(h.server);
            assertThat(caller.awaitClosed(WAIT), is(true));
            assertThat(h.activeCalls(), is(0));
        }
    }

    private int status(AgentHarness h, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(h.httpUri(path)).GET().build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
