package dev.voiceagent.e2e;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeTwilioCaller;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * Each instance takes at most MAX_CONCURRENT_CALLS calls: calls in progress plus calls answered whose
 * stream has not started. Beyond it the caller is told politely and hung up (or forwarded to the overflow
 * number), never half-connected, and the refusal is counted.
 */
class AdmissionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String VOICE_URL = AgentHarness.PUBLIC_BASE_URL + "/twilio/voice";

    @Test
    void withACapOfOneASecondCallHearsTheLinesAreBusyAndANewCallIsAdmittedOnceTheFirstEnds() throws Exception {
        try (AgentHarness h = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, Map.of("MAX_CONCURRENT_CALLS", "1"),
                                                 Map.of())) {
            double rejectedBefore = rejected(h);
            FakeTwilioCaller first = h.call();
            AgentHarness.await(() -> h.activeCalls() == 1, WAIT, "first call in progress");

            HttpResponse<String> second = webhook(h);
            assertThat(second.statusCode(), is(200));
            assertThat(second.body(), containsString("<Say>"));
            assertThat(second.body(), containsString("busy"));
            assertThat(second.body(), containsString("<Hangup/>"));
            assertThat("never a half-working call", second.body(), not(containsString("<Stream")));
            assertThat(rejected(h), is(rejectedBefore + 1));

            first.stop();
            AgentHarness.await(() -> h.activeCalls() == 0, WAIT, "first call ended");
            FakeTwilioCaller third = h.call();
            assertThat(third.awaitAudioAfter(0, WAIT) > 0, is(true));
            third.stop();
        }
    }

    @Test
    void aCallAnsweredWhoseStreamHasNotArrivedYetHoldsItsPlace() throws Exception {
        try (AgentHarness h = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, Map.of("MAX_CONCURRENT_CALLS", "1"),
                                                 Map.of())) {
            assertThat(webhook(h).body(), containsString("<Stream"));
            assertThat(h.activeCalls(), is(0));
            assertThat(webhook(h).body(), containsString("<Hangup/>"));
        }
    }

    @Test
    void withAnOverflowNumberCallsBeyondTheCapAreForwardedThere() throws Exception {
        try (AgentHarness h = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS,
                                                 Map.of("MAX_CONCURRENT_CALLS", "1", "OVERFLOW_NUMBER", "+15550100002"),
                                                 Map.of())) {
            assertThat(webhook(h).body(), containsString("<Stream"));
            String overflow = webhook(h).body();
            assertThat(overflow, containsString("<Dial>+15550100002</Dial>"));
            assertThat(overflow, not(containsString("<Stream")));
        }
    }

    private static HttpResponse<String> webhook(AgentHarness h) throws Exception {
        Map<String, String> form = AgentHarness.voiceForm(AgentHarness.newCallSid(), "+15557654321");
        return h.postVoiceWebhook(form, AgentHarness.sign(VOICE_URL, form));
    }

    /** {@code voice_calls_rejected_total{reason="capacity"}} from the metrics endpoint, 0 when absent. */
    private static double rejected(AgentHarness h) throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(h.httpUri("/observe/metrics")).GET().build(),
                                                      HttpResponse.BodyHandlers.ofString()).body();
        for (String line : text.split("\n")) {
            if (line.startsWith("voice_calls_rejected_total{") && line.contains("reason=\"capacity\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
