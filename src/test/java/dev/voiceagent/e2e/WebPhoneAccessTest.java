package dev.voiceagent.e2e;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeTwilioCaller;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Who may use the web phone, and what it may do: the page and the socket need the console session (loopback
 * without an admin key, else the signed cookie the console's sign-in sets); the socket only takes
 * handshakes from this server's own pages; a call needs a web call sid and a known persona, and takes its place under
 * the same call cap as phone calls.
 */
class WebPhoneAccessTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(AgentHarness h, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(h.httpUri(path)).GET();
        headers.forEach(req::header);
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static FakeTwilioCaller open(AgentHarness h, Map<String, String> headers) throws Exception {
        return FakeTwilioCaller.connect(WebPhoneCallTest.socketUri(h), headers);
    }

    /** Opens a socket with {@code headers}, starts a call, and returns the close code the server ends it with. */
    private static int refusedWith(AgentHarness h, Map<String, String> headers, String callSid, String persona)
            throws Exception {
        try (FakeTwilioCaller caller = open(h, headers)) {
            caller.start(callSid, Map.of("persona", persona));
            assertThat("the socket is closed", caller.awaitClosed(WAIT), is(true));
            return caller.closeCode();
        }
    }

    /** Opens a socket with {@code headers} and returns the close code the server closes it with at once. */
    private static int closedOnOpenWith(AgentHarness h, Map<String, String> headers) throws Exception {
        try (FakeTwilioCaller caller = open(h, headers)) {
            assertThat("the socket is closed before any call starts", caller.awaitClosed(WAIT), is(true));
            return caller.closeCode();
        }
    }

    @Test
    void withAnAdminKeyThePageAndTheSocketNeedTheSessionCookie() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            String cookie = new ConsoleClient(h).session();
            assertThat(get(h, "/console/phone", Map.of()).statusCode(), is(303));
            assertThat(get(h, "/console/phone/personas", Map.of("Cookie", "va_console=wrong")).statusCode(), is(401));
            assertThat(get(h, "/console/phone/phone.js", Map.of()).statusCode(), is(401));

            HttpResponse<String> page = get(h, "/console/phone", Map.of("Cookie", "theme=dark; " + cookie));
            assertThat(page.statusCode(), is(200));
            assertThat(page.body(), containsString("<h1>Web phone</h1>"));
            assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""), containsString("default-src 'self'"));
            assertThat(page.headers().firstValue("Cache-Control").orElse(""), is("no-store"));
            assertThat(get(h, "/console/phone/worklet.js", Map.of("Cookie", cookie)).headers()
                               .firstValue("Content-Type").orElse(""), containsString("text/javascript"));
            assertThat("only the page's own files", get(h, "/console/phone/pom.xml", Map.of("Cookie", cookie)).statusCode(),
                       is(404));

            JsonNode personas = JSON.readTree(get(h, "/console/phone/personas", Map.of("Cookie", cookie)).body());
            assertThat(personas.get("default").asText(), is("tester"));
            assertThat(personas.get("personas").get(0).get("id").asText(), is("tester"));
            assertThat(personas.get("personas").get(0).get("greeting").asText(), is("Hello, how can I help?"));

            assertThat("no cookie", closedOnOpenWith(h, Map.of()), is(1008));
            assertThat("wrong cookie", closedOnOpenWith(h, Map.of("Cookie", "va_console=guess")), is(1008));
            assertThat("nothing was started", h.agent.store().calls(java.util.Optional.empty(), 10, 0).total(), is(0L));
        }
    }

    @Test
    void anotherSitesPageCannotOpenTheSocketEvenWithTheCookie() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            String cookie = new ConsoleClient(h).session();
            assertThrows(WebSocketHandshakeException.class,
                         () -> open(h, Map.of("Cookie", cookie, "Origin", "https://evil.example")));
            try (FakeTwilioCaller caller = open(h, Map.of("Cookie", cookie,
                                                         "Origin", "http://127.0.0.1:" + h.server.port()))) {
                caller.start(WebPhoneCallTest.webCallSid(), Map.of("persona", "tester"));
                assertThat("this server's own page is let in",
                           caller.awaitReceived(t -> t.contains("\"media\""), WAIT), is(true));
            }
        }
    }

    @Test
    void aWebCallNeedsAWebCallSidAndAKnownPersona() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            String cookie = new ConsoleClient(h).session();
            Map<String, String> session = Map.of("Cookie", cookie);
            assertThat("a Twilio call sid", refusedWith(h, session, AgentHarness.newCallSid(), "tester"), is(1008));
            assertThat("an unknown persona", refusedWith(h, session, WebPhoneCallTest.webCallSid(), "nobody"), is(1008));
            assertThat(h.agent.store().calls(java.util.Optional.empty(), 10, 0).total(), is(0L));
        }
    }

    @Test
    void webCallsCountAgainstTheSameCallCap() throws Exception {
        try (AgentHarness h = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, Map.of("MAX_CONCURRENT_CALLS", "1"),
                                                 Map.of())) {
            String cookie = new ConsoleClient(h).session();
            try (FakeTwilioCaller first = open(h, Map.of("Cookie", cookie))) {
                first.start(WebPhoneCallTest.webCallSid(), Map.of("persona", "tester"));
                AgentHarness.await(() -> h.activeCalls() == 1, WAIT, "the first web call in progress");
                assertThat("the second is told to try again later",
                           refusedWith(h, Map.of("Cookie", cookie), WebPhoneCallTest.webCallSid(), "tester"), is(1013));

                // A phone call is refused too while the web call holds the only place.
                Map<String, String> form = AgentHarness.voiceForm(AgentHarness.newCallSid(), "+15557654321");
                HttpResponse<String> twiml = h.postVoiceWebhook(
                        form, AgentHarness.sign(AgentHarness.PUBLIC_BASE_URL + "/twilio/voice", form));
                assertThat(twiml.statusCode(), is(200));
                assertThat(twiml.body(), containsString("<Hangup"));
            }
        }
    }

    @Test
    void withoutAnAdminKeyOnlyThisMachineMayUseIt() throws Exception {
        try (AgentHarness h = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, Map.of("ADMIN_API_KEY", ""), Map.of())) {
            assertThat(get(h, "/console/phone", Map.of()).statusCode(), is(200));
            assertThat("through a same-host tunnel", get(h, "/console/phone", Map.of("X-Forwarded-For", "203.0.113.9"))
                    .statusCode(), is(303));
            assertThat("a tunnelled socket", closedOnOpenWith(h, Map.of("X-Forwarded-For", "203.0.113.9")), is(1008));
            try (FakeTwilioCaller caller = open(h, Map.of())) {
                caller.start(WebPhoneCallTest.webCallSid(), Map.of("persona", "tester"));
                assertThat("a direct loopback socket is let in",
                           caller.awaitReceived(t -> t.contains("\"media\""), WAIT), is(true));
            }
        }
    }
}
