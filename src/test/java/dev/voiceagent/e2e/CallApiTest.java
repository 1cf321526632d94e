package dev.voiceagent.e2e;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** The operators' call API: bearer auth, personas, calls newest first with paging and a phone filter, 400s. */
class CallApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static AgentHarness h;
    private static final String[] SIDS = new String[5];

    @BeforeAll
    static void fiveCalls() throws Exception {
        h = AgentHarness.start();
        for (int i = 0; i < SIDS.length; i++) {
            // Two callers; calls placed one after the other so "newest first" is well defined.
            SIDS[i] = AfterCallTest.oneTurnCall(h, i % 2 == 0 ? "+15550001111" : "+15550002222");
            String sid = SIDS[i];
            h.awaitStoredCall(sid, d -> d.call().status().equals("completed"), "call stored");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    @Test
    void everyEndpointNeedsTheBearerKey() throws Exception {
        for (String path : new String[] {"/personas", "/personas/tester", "/calls", "/calls/" + SIDS[0]}) {
            assertThat(path, h.api(path, null).statusCode(), is(401));
            assertThat(path, h.api(path, "wrong-key").statusCode(), is(401));
            assertThat(path, h.api(path).statusCode(), is(200));
        }
        assertThat(h.api("/calls", null).headers().firstValue("WWW-Authenticate").orElse(""), is("Bearer"));
    }

    @Test
    void personasAreListedAndReadById() throws Exception {
        JsonNode all = json(h.api("/personas"));
        assertThat(all.get("default").asText(), is("tester"));
        assertThat(all.get("personas").size(), is(1));
        JsonNode tester = json(h.api("/personas/tester"));
        assertThat(tester.get("greeting").asText(), is("Hello, how can I help?"));
        assertThat(tester.get("collect").get(1).get("key").asText(), is("reason"));
        assertThat(h.api("/personas/nobody").statusCode(), is(404));
        assertThat(h.api("/personas/bad%20id").statusCode(), is(400));
    }

    @Test
    void callsComeNewestFirstInPages() throws Exception {
        JsonNode first = json(h.api("/calls?limit=2"));
        assertThat(first.get("total").asInt(), is(5));
        assertThat(first.get("calls").size(), is(2));
        assertThat(first.get("calls").get(0).get("callSid").asText(), is(SIDS[4]));
        assertThat(first.get("calls").get(1).get("callSid").asText(), is(SIDS[3]));
        assertThat(first.get("nextOffset").asInt(), is(2));
        JsonNode last = json(h.api("/calls?limit=2&offset=4"));
        assertThat(last.get("calls").size(), is(1));
        assertThat(last.get("calls").get(0).get("callSid").asText(), is(SIDS[0]));
        assertThat(last.has("nextOffset"), is(false));
    }

    @Test
    void callsCanBeFilteredByPhoneNumber() throws Exception {
        JsonNode mine = json(h.api("/calls?phone=%2B15550002222"));
        assertThat(mine.get("total").asInt(), is(2));
        assertThat(mine.get("calls").get(0).get("callSid").asText(), is(SIDS[3]));
        assertThat(mine.get("calls").get(1).get("callSid").asText(), is(SIDS[1]));
        assertThat(json(h.api("/calls?phone=%2B19999999999")).get("total").asInt(), is(0));
    }

    @Test
    void aCallShowsItsTurnsFactsSummaryAndDeliveryStatus() throws Exception {
        h.awaitStoredCall(SIDS[0], d -> d.deliveries().stream().anyMatch(s -> s.target().equals("gohighlevel")
                                                                             && s.status().equals("delivered")), "delivered");
        JsonNode call = json(h.api("/calls/" + SIDS[0]));
        assertThat(call.get("status").asText(), is("completed"));
        assertThat(call.get("from").asText(), is("+15550001111"));
        assertThat(call.get("turns").size(), is(3));
        assertThat(call.get("turns").get(1).get("role").asText(), is("caller"));
        assertThat(call.get("turns").get(1).get("text").asText(), is("I would like to book an appointment for next Tuesday."));
        assertThat(call.get("turns").get(2).get("timingsMs").has("voiceToVoice"), is(true));
        assertThat(call.get("delivery").get("gohighlevel").get("status").asText(), is("delivered"));
        assertThat(call.get("delivery").get("extraction").get("status").asText(), is("delivered"));
        assertThat(call.has("summary"), is(true));
        assertThat(call.has("facts"), is(true));
        assertThat(h.api("/calls/CA" + "0".repeat(32)).statusCode(), is(404));
    }

    @Test
    void badParametersGetA400ThatSaysWhatIsWrong() throws Exception {
        assertBadRequest("/calls?limit=0", "limit must be a whole number from 1 to 100");
        assertBadRequest("/calls?limit=1000", "limit must be a whole number from 1 to 100");
        assertBadRequest("/calls?limit=ten", "limit must be a whole number");
        assertBadRequest("/calls?offset=-1", "offset must be a whole number");
        assertBadRequest("/calls?phone=call-me", "phone must be a phone number");
        assertBadRequest("/calls?page=2", "unknown parameter 'page'");
        assertBadRequest("/calls/not-a-sid", "a call sid is 'CA' followed by 32 hex digits");
    }

    private static void assertBadRequest(String path, String message) throws Exception {
        HttpResponse<String> res = h.api(path);
        assertThat(path, res.statusCode(), is(400));
        assertThat(path, JSON.readTree(res.body()).get("error").asText(), containsString(message));
    }

    /** The body of a successful answer. */
    private static JsonNode json(HttpResponse<String> res) throws Exception {
        assertThat(res.body(), res.statusCode(), is(200));
        return JSON.readTree(res.body());
    }
}
