package dev.voiceagent.e2e;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * Without ADMIN_API_KEY the call API answers only requests from this machine, and a request that came
 * through a same-host tunnel or proxy (it carries proxy headers) is not from this machine.
 */
class CallApiAccessTest {

    private static final String[][] PROXY_HEADERS = {
            {"X-Forwarded-For", "203.0.113.7"},
            {"Forwarded", "for=203.0.113.7;proto=https"},
            {"X-Forwarded-Host", "abc123.ngrok.app"},
            {"X-Forwarded-Proto", "https"},
            {"X-Real-IP", "203.0.113.7"},
            {"CF-Connecting-IP", "203.0.113.7"},
    };
    private static AgentHarness h;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startWithoutAnApiKey() throws Exception {
        h = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, Map.of("ADMIN_API_KEY", ""), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    @Test
    void aDirectLoopbackRequestIsAnswered() throws Exception {
        assertThat(get("/calls", null, null).statusCode(), is(200));
        assertThat(get("/personas", null, null).statusCode(), is(200));
    }

    @Test
    void aLoopbackRequestCarryingAProxyHeaderIsRemoteAndGets401() throws Exception {
        for (String[] header : PROXY_HEADERS) {
            HttpResponse<String> res = get("/calls", header[0], header[1]);
            assertThat(header[0], res.statusCode(), is(401));
            assertThat(res.body(), containsString("ADMIN_API_KEY"));
            assertThat(header[0], get("/personas/tester", header[0], header[1]).statusCode(), is(401));
        }
    }

    @Test
    void healthAndTheWebhooksAreNotPartOfTheApi() throws Exception {
        assertThat(get("/observe/health/live", "X-Forwarded-For", "203.0.113.7").statusCode(), is(200));
    }

    private HttpResponse<String> get(String path, String header, String value) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(h.httpUri(path)).GET();
        if (header != null) {
            req.header(header, value);
        }
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }
}
