package dev.voiceagent.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeCloudflare.ToolCallForm;
import dev.voiceagent.fakes.FakeCloudflare.ToolTurn;
import dev.voiceagent.fakes.FakeToolServer;
import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.fakes.Fault;
import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.TurnRecord;
import org.junit.jupiter.api.Test;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

/**
 * Whole calls over real sockets with a webhook tool: the fake model calls it, the server posts the signed request
 * to the operator's endpoint (a fake that checks the signature), and the answer is spoken from its result; a slow
 * tool is bridged by the filler; a failing one is talked around and the call goes on; the tool calls are stored and
 * shown by the call API.
 */
class ToolCallTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration QUIET = Duration.ofMillis(700);
    static final String SECRET = "order-tool-secret";
    private static final ObjectMapper JSON = new ObjectMapper();

    static String personas(FakeToolServer tools) {
        return AgentHarness.DEFAULT_PERSONAS + """
                    tools:
                      - builtin: end_call
                      - name: order_status
                        description: "Looks up an order by its number"
                        parameters: { type: object, properties: { order: { type: string } }, required: [order] }
                        url: %s
                        timeoutMs: 3000
                        secretEnv: ORDER_TOOL_SECRET
                """.formatted(tools.url("order_status"));
    }

    /** The model calls order_status once per turn, then answers from the tool message. */
    static void scriptModel(AgentHarness h, String answerFromResult) {
        h.cloudflare.queueTranscripts("Where is my order A-1042?", "Thanks, anything else?");
        h.cloudflare.toolCaller(call -> lastRole(call).equals("user") && call.messages().stream()
                .noneMatch(m -> "tool".equals(m.get("role")))
                ? Optional.of(ToolTurn.of(ToolCallForm.LEGACY, "order_status", "{\"order\":\"A-1042\"}"))
                : Optional.empty());
        h.cloudflare.replier(call -> lastRole(call).equals("tool")
                ? (call.messages().getLast().get("content").contains("shipped") ? answerFromResult
                   : "Sorry, I can't look that order up right now.")
                : "Happy to help.");
    }

    private static String lastRole(FakeCloudflare.ChatCall call) {
        return String.valueOf(call.messages().getLast().get("role"));
    }

    static AgentHarness start(FakeToolServer tools) throws Exception {
        return AgentHarness.start(personas(tools), Map.of("ORDER_TOOL_SECRET", SECRET), Map.of());
    }

    private static List<String> agentTurns(CallDetail d) {
        return d.turns().stream().filter(t -> t.role() == TurnRecord.Role.AGENT).map(TurnRecord::text).toList();
    }

    @Test
    void aWebhookToolIsCalledSignedAndTheAgentSpeaksItsAnswerWhichTheCallApiShows() throws Exception {
        try (FakeToolServer tools = new FakeToolServer(SECRET, "order_status");
             AgentHarness h = start(tools)) {
            tools.answer("order_status", args -> "{\"order\":\"" + args.path("order").asText() + "\",\"status\":\"shipped\"}");
            scriptModel(h, "Your order shipped yesterday.");
            FakeTwilioCaller caller = h.call();
            caller.awaitQuiet(QUIET, WAIT);

            caller.speak(clip("book_appointment"));
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            caller.awaitQuiet(QUIET, WAIT);

            assertThat(tools.refusals(), empty());
            assertThat(tools.calls().size(), is(1));
            assertThat(tools.calls().getFirst().body().path("arguments").path("order").asText(), is("A-1042"));
            assertThat(tools.calls().getFirst().body().path("callSid").asText(), is(caller.callSid()));
            CallDetail stored = h.awaitStoredCall(caller.callSid(),
                    d -> !d.toolCalls().isEmpty() && agentTurns(d).contains("Your order shipped yesterday."),
                    "the tool call and the answer stored");
            assertThat(stored.toolCalls().getFirst().outcome(), is("result"));
            JsonNode api = JSON.readTree(h.api("/calls/" + caller.callSid()).body());
            JsonNode shown = api.path("toolCalls").path(0);
            assertThat(shown.path("tool").asText(), is("order_status"));
            assertThat(shown.path("arguments").path("order").asText(), is("A-1042"));
            assertThat(shown.path("result").path("status").asText(), is("shipped"));
            assertThat(shown.path("outcome").asText(), is("result"));
            assertThat(caller.protocolErrors(), empty());
        }
    }

    @Test
    void aSlowToolIsBridgedByTheFillerThenTheAnswer() throws Exception {
        try (FakeToolServer tools = new FakeToolServer(SECRET, "order_status");
             AgentHarness h = start(tools)) {
            tools.answer("order_status", args -> "{\"status\":\"shipped\"}");
            tools.latency("order_status", Duration.ofMillis(1500));
            scriptModel(h, "It shipped yesterday.");
            FakeTwilioCaller caller = h.call();
            caller.awaitQuiet(QUIET, WAIT);

            caller.speak(clip("book_appointment"));
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));

            CallDetail stored = h.awaitStoredCall(caller.callSid(),
                    d -> agentTurns(d).stream().anyMatch(t -> t.contains("It shipped yesterday.")), "the answer stored");
            assertThat(agentTurns(stored), hasItem("One moment while I check that. It shipped yesterday."));
        }
    }

    @Test
    void aFailingToolIsTalkedAroundAndTheCallGoesOn() throws Exception {
        try (FakeToolServer tools = new FakeToolServer(SECRET, "order_status");
             AgentHarness h = start(tools)) {
            tools.failAlways("order_status", Fault.status(500));
            scriptModel(h, "unused");
            FakeTwilioCaller caller = h.call();
            caller.awaitQuiet(QUIET, WAIT);

            caller.speak(clip("book_appointment"));
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            caller.awaitQuiet(QUIET, WAIT);
            caller.speak(clip("yes_thanks"));
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            caller.awaitQuiet(QUIET, WAIT);

            CallDetail stored = h.awaitStoredCall(caller.callSid(),
                    d -> agentTurns(d).contains("Happy to help.") && !d.toolCalls().isEmpty(), "both turns answered");
            assertThat(agentTurns(stored), hasItem("Sorry, I can't look that order up right now."));
            assertThat(stored.toolCalls().getFirst().failure(), is(Optional.of("vendor_error")));
        }
    }
}
