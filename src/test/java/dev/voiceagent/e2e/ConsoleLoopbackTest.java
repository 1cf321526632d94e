package dev.voiceagent.e2e;

import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * Without ADMIN_API_KEY the console follows the call API's rule: only direct requests from this machine (loopback,
 * no proxy header) get in, with no sign-in; anything through a proxy or tunnel is refused, and sign-in is not possible.
 */
class ConsoleLoopbackTest {

    private static AgentHarness h;
    private static ConsoleClient console;

    @BeforeAll
    static void startWithoutAKey() throws Exception {
        h = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, Map.of("ADMIN_API_KEY", ""), Map.of());
        console = new ConsoleClient(h);
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    @Test
    void aDirectLoopbackRequestNeedsNoSignIn() throws Exception {
        assertThat(console.get("/console", null).statusCode(), is(200));
        assertThat(console.get("/console/personas", null).statusCode(), is(200));
        assertThat(console.get("/console/api/calls", null).statusCode(), is(200));
        assertThat(console.get("/console/api/personas", null).statusCode(), is(200));
        HttpResponse<String> login = console.get("/console/login", null);
        assertThat("the sign-in page sends this machine straight in", login.statusCode(), is(303));
    }

    @Test
    void aRequestThroughAProxyIsRefused() throws Exception {
        for (String[] header : new String[][] {{"X-Forwarded-For", "203.0.113.7"}, {"Forwarded", "for=203.0.113.7"},
                                               {"X-Real-IP", "203.0.113.7"}, {"CF-Connecting-IP", "203.0.113.7"}}) {
            HttpResponse<String> data = console.get("/console/api/calls", null, header);
            assertThat(header[0], data.statusCode(), is(401));
            assertThat(header[0], data.body(), containsString("ADMIN_API_KEY is not set"));
            HttpResponse<String> page = console.get("/console", null, header);
            assertThat(header[0], page.statusCode(), is(303));
            assertThat(header[0], page.headers().firstValue("Location").orElse(""), is("/console/login"));
            HttpResponse<String> login = console.get("/console/login", null, header);
            assertThat(header[0], login.statusCode(), is(200));
            assertThat(header[0], login.body(), containsString("ADMIN_API_KEY is not set"));
        }
    }

    @Test
    void noKeyCanBeTypedInWhenNoneIsSet() throws Exception {
        HttpResponse<String> res = console.signIn("", "X-Forwarded-For", "203.0.113.7");
        assertThat(res.statusCode(), is(403));
        assertThat(res.headers().firstValue("Set-Cookie").isPresent(), is(false));
        assertThat(console.signIn("anything", "X-Forwarded-For", "203.0.113.7").statusCode(), is(403));
    }
}
