package dev.voiceagent.e2e;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * What a ConversationRelay call survives and reports: single malformed messages are skipped and counted while the
 * call goes on, a run of them closes the socket with 1007, Twilio's {@code error} messages are counted, and the
 * signed {@code <Connect action>} callback records the session's outcome.
 */
class RelayRobustnessTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void malformedMessagesAreSkippedAndTheCallGoesOn() throws Exception {
        try (AgentHarness h = AgentHarness.start(RelayCalls.RELAY_PERSONAS)) {
            h.cloudflare.queueReplies("Yes, I can hear you.");
            double before = metric(h, "voice_frames_malformed_total", "");
            try (RelayCalls.Call call = RelayCalls.call(h, "+15551230301")) {
                call.relay().send("not json");
                call.relay().send("{\"type\":\"prompt\"}");
                call.relay().send("{\"voicePrompt\":\"no type\"}");
                call.relay().send("{\"type\":\"dtmf\",\"digit\":\"xx\"}");
                call.relay().send("{\"type\":\"interrupt\",\"durationUntilInterruptMs\":\"soon\"}");
                call.relay().send("{\"type\":\"somethingNew\"}");
                call.relay().prompt("Can you hear me?");
                assertThat(call.relay().awaitReply(WAIT), is("Yes, I can hear you."));
                assertThat(metric(h, "voice_frames_malformed_total", "") - before, is(5.0));
            }
        }
    }

    @Test
    void aRunOfMalformedMessagesClosesTheSocketWith1007() throws Exception {
        try (AgentHarness h = AgentHarness.start(RelayCalls.RELAY_PERSONAS)) {
            try (RelayCalls.Call call = RelayCalls.call(h, "+15551230302")) {
                for (int i = 0; i < 10; i++) {
                    call.relay().send("{broken " + i);
                }
                assertThat(call.relay().awaitClose(WAIT), is(1007));
            }
            AgentHarness.await(() -> h.activeCalls() == 0, WAIT, "the call to end");
        }
    }

    @Test
    void errorMessagesFromTwilioAreCountedAndTheCallGoesOn() throws Exception {
        try (AgentHarness h = AgentHarness.start(RelayCalls.RELAY_PERSONAS)) {
            h.cloudflare.queueReplies("Still here.");
            double before = metric(h, "voice_relay_errors_total", "");
            try (RelayCalls.Call call = RelayCalls.call(h, "+15551230303")) {
                call.relay().error("Invalid message received: { \"foo\" : \"bar\" }");
                call.relay().prompt("Hello?");
                assertThat(call.relay().awaitReply(WAIT), is("Still here."));
                assertThat(metric(h, "voice_relay_errors_total", "") - before, is(1.0));
            }
        }
    }

    @Test
    void theSignedActionCallbackRecordsTheSessionOutcomeAndAnUnsignedOneIsRefused() throws Exception {
        try (AgentHarness h = AgentHarness.start(RelayCalls.RELAY_PERSONAS)) {
            Map<String, String> form = new LinkedHashMap<>(AgentHarness.voiceForm(AgentHarness.newCallSid(), "+15551230304"));
            form.put("SessionId", "VX00000000000000000000000000000001");
            form.put("SessionStatus", "ended");
            form.put("SessionDuration", "42");
            form.put("HandoffData", "{\"reasonCode\":\"agent-ended\",\"reason\":\"done\"}");
            String url = AgentHarness.PUBLIC_BASE_URL + "/twilio/relay/action";
            double before = metric(h, "voice_relay_sessions_total", "status=\"ended\"");

            assertThat(h.post("/twilio/relay/action", form, null).statusCode(), is(403));
            assertThat(h.post("/twilio/relay/action", form, AgentHarness.sign(url + "x", form)).statusCode(), is(403));
            assertThat(metric(h, "voice_relay_sessions_total", "status=\"ended\"") - before, is(0.0));

            HttpResponse<String> res = h.post("/twilio/relay/action", form, AgentHarness.sign(url, form));
            assertThat(res.statusCode(), is(200));
            assertThat("nothing follows the session: Twilio ends the call", res.body(), containsString("<Response/>"));
            assertThat(metric(h, "voice_relay_sessions_total", "status=\"ended\"") - before, is(1.0));

            form.put("SessionStatus", "failed");
            form.put("ErrorCode", "64105");
            form.remove("HandoffData");
            double failed = metric(h, "voice_relay_sessions_total", "status=\"failed\"");
            assertThat(h.post("/twilio/relay/action", form, AgentHarness.sign(url, form)).statusCode(), is(200));
            assertThat(metric(h, "voice_relay_sessions_total", "status=\"failed\"") - failed, is(1.0));
        }
    }

    @Test
    void theSessionOutcomeIsStoredWithTheCallAndShownByTheCallApi() throws Exception {
        try (AgentHarness h = AgentHarness.start(RelayCalls.RELAY_PERSONAS)) {
            h.cloudflare.queueReplies("Hello there.");
            String callSid;
            try (RelayCalls.Call call = RelayCalls.call(h, "+15551230305")) {
                callSid = call.callSid();
                call.relay().prompt("Hi.");
                call.relay().awaitReply(WAIT);
                call.relay().hangUp();
            }
            h.awaitStoredCall(callSid, d -> d.call().endReason().isPresent(), "the call closed");
            Map<String, String> form = new LinkedHashMap<>(AgentHarness.voiceForm(callSid, "+15551230305"));
            form.put("SessionId", "VX00000000000000000000000000000002");
            form.put("SessionStatus", "ended");
            form.put("HandoffData", "{\"reasonCode\":\"agent-ended\"}");
            String url = AgentHarness.PUBLIC_BASE_URL + "/twilio/relay/action";
            assertThat(h.post("/twilio/relay/action", form, AgentHarness.sign(url, form)).statusCode(), is(200));

            var stored = h.awaitStoredCall(callSid, d -> d.call().sessionOutcome().isPresent(), "the session outcome stored");
            assertThat(stored.call().sessionOutcome().orElseThrow(), is("ended; handoff {\"reasonCode\":\"agent-ended\"}"));
            assertThat(h.api("/calls/" + callSid, AgentHarness.ADMIN_KEY).body(), containsString("\"sessionOutcome\""));
        }
    }

    /** The sum of a metric's lines (those containing {@code labels}) on the metrics endpoint; 0 when absent. */
    static double metric(AgentHarness h, String name, String labels) throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(h.httpUri("/observe/metrics")).GET().build(),
                                                      HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        for (String line : text.split("\n")) {
            if ((line.startsWith(name + "{") || line.startsWith(name + " ")) && line.contains(labels)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
