package dev.voiceagent.e2e;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * The console over real HTTP with ADMIN_API_KEY set: sign-in and its cookie, pages and data refused without it,
 * the call history and one call's detail, the personas' state, and the live stream of a call as it happens.
 */
class ConsoleApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CALLER = "+15550003333";
    private static AgentHarness h;
    private static ConsoleClient console;
    private static String cookie;
    private static String sid;
    private static final List<String> STREAMED = new CopyOnWriteArrayList<>();
    private static InputStream stream;

    @BeforeAll
    static void oneCallWatchedLive() throws Exception {
        h = AgentHarness.start();
        console = new ConsoleClient(h);
        cookie = console.session();
        HttpResponse<InputStream> live = console.http().send(
                HttpRequest.newBuilder(h.httpUri("/console/api/live")).header("Cookie", cookie).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(live.statusCode(), is(200));
        assertThat(live.headers().firstValue("Content-Type").orElse(""), startsWith("text/event-stream"));
        stream = live.body();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    STREAMED.add(line);
                }
            } catch (Exception e) {
                // closed at the end of the test
            }
        });
        sid = AfterCallTest.oneTurnCall(h, CALLER);
        h.awaitStoredCall(sid, d -> d.call().status().equals("completed") && d.turns().size() >= 3, "call stored");
    }

    @AfterAll
    static void stop() throws Exception {
        stream.close();
        h.close();
    }

    @Test
    void pagesRedirectToSignInAndDataAnswers401WithoutTheCookie() throws Exception {
        for (String page : new String[] {"/console", "/console/personas", "/console/calls/" + sid}) {
            HttpResponse<String> res = console.get(page, null);
            assertThat(page, res.statusCode(), is(303));
            assertThat(page, res.headers().firstValue("Location").orElse(""), is("/console/login"));
            assertThat(page, console.get(page, "va_console=v1.9999999999.forged").statusCode(), is(303));
        }
        for (String data : new String[] {"/console/api/calls", "/console/api/calls/" + sid, "/console/api/personas",
                                         "/console/api/live"}) {
            HttpResponse<String> res = console.get(data, null);
            assertThat(data, res.statusCode(), is(401));
            assertThat(data, res.headers().firstValue("Content-Type").orElse(""), is("application/json"));
            assertThat(data, JSON.readTree(res.body()).get("error").asText(), containsString("sign in"));
            assertThat(data, console.get(data, "va_console=v1.9999999999.forged").statusCode(), is(401));
        }
        assertThat("the bearer key of the call API is not a console session",
                   console.get("/console/api/calls", null, "Authorization", "Bearer " + AgentHarness.ADMIN_KEY)
                           .statusCode(), is(401));
    }

    @Test
    void signingInSetsAStrictHttpOnlyCookieSecureOnlyOverHttps() throws Exception {
        HttpResponse<String> res = console.signIn(AgentHarness.ADMIN_KEY);
        assertThat(res.statusCode(), is(303));
        assertThat(res.headers().firstValue("Location").orElse(""), is("/console"));
        String setCookie = res.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie, startsWith("va_console=v1."));
        assertThat(setCookie, containsString("HttpOnly"));
        assertThat(setCookie, containsString("SameSite=Strict"));
        assertThat(setCookie, not(containsString("Secure")));
        String behindProxy = console.signIn(AgentHarness.ADMIN_KEY, "X-Forwarded-Proto", "https")
                .headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(behindProxy, containsString("; Secure"));
        assertThat(console.get("/console", setCookie.split(";")[0]).statusCode(), is(200));
        assertThat(console.get("/console/login", setCookie.split(";")[0]).statusCode(), is(303));
    }

    @Test
    void aWrongKeyIsRefusedSlowlyWithoutEchoingItAndRepeatedTriesAreThrottled() throws Exception {
        String[] client = {"X-Forwarded-For", "198.51.100.23"};
        long start = System.nanoTime();
        HttpResponse<String> wrong = console.signIn("guess-number-one", client);
        assertThat(wrong.statusCode(), is(401));
        assertThat(System.nanoTime() - start, greaterThan(Duration.ofMillis(700).toNanos()));
        assertThat(wrong.body(), containsString("Wrong key"));
        assertThat(wrong.body(), not(containsString("guess-number-one")));
        assertThat(wrong.headers().firstValue("Set-Cookie").isPresent(), is(false));
        for (int i = 2; i <= 5; i++) {
            assertThat(console.signIn("guess-" + i, client).statusCode(), is(401));
        }
        HttpResponse<String> throttled = console.signIn(AgentHarness.ADMIN_KEY, client);
        assertThat("even the right key waits once the client is throttled", throttled.statusCode(), is(429));
        assertThat(throttled.body(), containsString("Too many wrong keys"));
        assertThat("another client is not held up", console.signIn(AgentHarness.ADMIN_KEY).statusCode(), is(303));
    }

    @Test
    void signingOutClearsTheCookie() throws Exception {
        HttpResponse<String> res = console.http().send(
                HttpRequest.newBuilder(h.httpUri("/console/logout")).header("Cookie", cookie)
                        .POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode(), is(303));
        assertThat(res.headers().firstValue("Location").orElse(""), is("/console/login"));
        assertThat(res.headers().firstValue("Set-Cookie").orElse(""), containsString("va_console=; Path=/; Max-Age=0"));
    }

    @Test
    void theHistoryListsTheCallNewestFirstWithTheCallerMaskedAndFindsItByNumber() throws Exception {
        JsonNode page = JSON.readTree(console.get("/console/api/calls?limit=5", cookie).body());
        assertThat(page.get("total").asInt(), is(1));
        JsonNode call = page.get("calls").get(0);
        assertThat(call.get("callSid").asText(), is(sid));
        assertThat(call.get("from").asText(), is("+*********33"));
        assertThat(call.get("persona").asText(), is("tester"));
        assertThat(call.get("endReason").asText().isEmpty(), is(false));
        assertThat(JSON.readTree(console.get("/console/api/calls?phone=%2B15550003333", cookie).body())
                           .get("total").asInt(), is(1));
        assertThat(JSON.readTree(console.get("/console/api/calls?phone=%2B15559999999", cookie).body())
                           .get("total").asInt(), is(0));
        assertThat(console.get("/console/api/calls?phone=abc", cookie).statusCode(), is(400));
        assertThat(console.get("/console/api/calls?limit=0", cookie).statusCode(), is(400));
    }

    @Test
    void aCallShowsItsTurnsTimingsAndDeliveryState() throws Exception {
        JsonNode call = JSON.readTree(console.get("/console/api/calls/" + sid, cookie).body());
        JsonNode turns = call.get("turns");
        assertThat(turns.get(0).get("role").asText(), is("agent"));
        assertThat(turns.get(0).get("text").asText(), is("Hello, how can I help?"));
        assertThat(turns.get(1).get("role").asText(), is("caller"));
        assertThat(turns.get(1).get("text").asText(), containsString("book an appointment"));
        JsonNode answer = turns.get(2);
        assertThat(answer.get("text").asText(), is("Sure. What time works for you?"));
        for (String stage : new String[] {"eos", "stt", "llmFirstToken", "ttsFirstByte"}) {
            assertThat(stage, answer.get("timingsMs").has(stage), is(true));
        }
        List<String> targets = new java.util.ArrayList<>();
        call.get("delivery").forEach(d -> targets.add(d.get("target").asText()));
        assertThat(targets, hasItem("extraction"));
        assertThat(console.get("/console/api/calls/CA" + "0".repeat(32), cookie).statusCode(), is(404));
        assertThat(console.get("/console/api/calls/nonsense", cookie).statusCode(), is(400));
    }

    @Test
    void theLiveStreamShowedTheCallStartItsTurnsGrowAndItEnd() throws Exception {
        AgentHarness.await(() -> STREAMED.contains("event: ended"), Duration.ofSeconds(10), "the ended event");
        List<String> events = STREAMED.stream().filter(l -> l.startsWith("event: ")).toList();
        assertThat(events.get(0), is("event: snapshot"));
        assertThat(events.subList(1, events.size()),
                   is(List.of("event: started", "event: turn", "event: turn", "event: turn", "event: ended")));
        String started = STREAMED.get(STREAMED.indexOf("event: started") + 1);
        assertThat(started, containsString("\"callSid\":\"" + sid + "\""));
        assertThat(started, containsString("\"from\":\"+*********33\""));
        assertThat("the caller's number is never streamed unmasked", String.join("\n", STREAMED),
                   not(containsString(CALLER)));
        assertThat(String.join("\n", STREAMED), containsString("book an appointment"));
    }

    @Test
    void personasShowTheirNumbersAndARejectedEdit() throws Exception {
        JsonNode ok = JSON.readTree(console.get("/console/api/personas", cookie).body());
        assertThat(ok.get("valid").asBoolean(), is(true));
        assertThat(ok.get("personas").get(0).get("numbers").get(0).asText(), is(AgentHarness.AGENT_NUMBER));
        Files.writeString(h.personasFile, AgentHarness.DEFAULT_PERSONAS.replace("greeting: \"Hello, how can I help?\"",
                                                                                "greeting: \"\""));
        Files.setLastModifiedTime(h.personasFile, FileTime.from(Instant.now().plusSeconds(10)));
        AgentHarness.await(() -> {
            try {
                return !JSON.readTree(console.get("/console/api/personas", cookie).body()).get("valid").asBoolean();
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(10), "the rejected edit");
        JsonNode bad = JSON.readTree(console.get("/console/api/personas", cookie).body());
        assertThat(bad.get("error").asText(), containsString("greeting is required"));
        assertThat("the last good personas stay in force", bad.get("personas").get(0).get("greeting").asText(),
                   is("Hello, how can I help?"));
        Files.writeString(h.personasFile, AgentHarness.DEFAULT_PERSONAS);
        Files.setLastModifiedTime(h.personasFile, FileTime.from(Instant.now().plusSeconds(20)));
    }

    @Test
    void pagesAndAssetsComeFromTheJar() throws Exception {
        HttpResponse<String> page = console.get("/console", cookie);
        assertThat(page.headers().firstValue("Content-Type").orElse(""), startsWith("text/html"));
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""), containsString("default-src 'self'"));
        assertThat(page.body(), containsString("/console/phone"));
        assertThat(page.body(), not(containsString("http://")));
        assertThat(page.body(), not(containsString("https://")));
        HttpResponse<String> js = console.get("/console/assets/live.js", null);
        assertThat(js.statusCode(), is(200));
        assertThat(js.headers().firstValue("Content-Type").orElse(""), startsWith("text/javascript"));
        assertThat(console.get("/console/assets/..%2Fapplication.yaml", null).statusCode(), is(404));
        assertThat(console.get("/console/login", null).body(), containsString("type=\"password\""));
    }
}
