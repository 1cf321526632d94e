package dev.voiceagent.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.TurnRecord;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * A ConversationRelay call end to end, over a real socket with Twilio's messages: each caller turn is answered by
 * streaming the model's tokens as {@code text} messages, interruptions keep only what was spoken, keys reach the
 * agent, {@code [END_CALL]} sends {@code end} with handoff data, and the call is stored and pushed to the CRM like
 * a media-stream call.
 */
class RelayConversationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void eachPromptIsAnsweredByStreamedTokensWithTheirSpacesAndTheHistoryGrowsTurnByTurn() throws Exception {
        try (AgentHarness h = AgentHarness.start(RelayCalls.RELAY_PERSONAS)) {
            h.cloudflare.queueReplies("Sure, what day suits you?", "Tuesday at nine works. See you then.");
            try (RelayCalls.Call call = RelayCalls.call(h, "+15551230101")) {
                call.relay().prompt("I would like to book a check-up.");
                assertThat(call.relay().awaitReply(WAIT), is("Sure, what day suits you?"));
                call.relay().prompt("Next Tuesday morning.");
                assertThat(call.relay().awaitReply(WAIT), is("Tuesday at nine works. See you then."));

                List<JsonNode> tokens = call.relay().messages();
                assertThat("one text message per streamed word, not one per reply", tokens.size(), greaterThan(4));
                assertThat("tokens keep the spaces between words", tokens.get(0).get("token").asText(), is("Sure, "));
                assertThat(tokens.get(0).get("last").asBoolean(), is(false));

                List<Map<String, String>> second = h.cloudflare.chatCalls().get(1).messages();
                assertThat("the welcome greeting Twilio spoke is part of the history",
                           second.get(1).get("content"), is("Hello, how can I help?"));
                assertThat(second.get(2).get("content"), is("I would like to book a check-up."));
                assertThat(second.get(3).get("content"), is("Sure, what day suits you?"));
                assertThat(second.get(4).get("content"), is("Next Tuesday morning."));
                assertThat(second.size(), is(5));
                call.relay().hangUp();
            }
            AgentHarness.await(() -> h.activeCalls() == 0, WAIT, "the call to end");
        }
    }

    @Test
    void anInterruptionKeepsOnlyWhatWasSpokenInTheHistoryAndTheStoredTurn() throws Exception {
        try (AgentHarness h = AgentHarness.start(RelayCalls.RELAY_PERSONAS)) {
            h.cloudflare.queueReplies("We are open from nine in the morning until five in the evening, Monday to Friday.",
                                      "Of course.");
            String callSid;
            try (RelayCalls.Call call = RelayCalls.call(h, "+15551230102")) {
                callSid = call.callSid();
                call.relay().prompt("When are you open?");
                call.relay().awaitReply(WAIT);
                call.relay().interrupt("We are open from nine in the morning", 1800);
                call.relay().prompt("Can I come on Saturday?");
                assertThat(call.relay().awaitReply(WAIT), is("Of course."));

                List<Map<String, String>> asked = h.cloudflare.chatCalls().get(1).messages();
                String agentHeard = asked.get(asked.size() - 2).get("content");
                assertThat(agentHeard, is("We are open from nine in the morning—"));
                call.relay().hangUp();
            }
            CallDetail stored = h.awaitStoredCall(callSid, d -> d.call().endedAt().isPresent(), "the call stored");
            TurnRecord cut = stored.turns().stream().filter(t -> t.role() == TurnRecord.Role.AGENT && t.interrupted())
                    .findFirst().orElseThrow();
            assertThat(cut.text(), is("We are open from nine in the morning"));
        }
    }

    @Test
    void anInterruptionWhileTheModelIsStillStreamingStopsTheTokens() throws Exception {
        try (AgentHarness h = AgentHarness.start(RelayCalls.RELAY_PERSONAS)) {
            h.cloudflare.tokenInterval(Duration.ofMillis(150));
            h.cloudflare.queueReplies("One two three four five six seven eight nine ten eleven twelve thirteen.");
            try (RelayCalls.Call call = RelayCalls.call(h, "+15551230103")) {
                call.relay().prompt("Count for me.");
                call.relay().awaitToken(WAIT);
                call.relay().interrupt("One", 300);
                Thread.sleep(600);
                int sent = call.relay().messages().size();
                Thread.sleep(600);
                assertThat("no tokens after the interruption", call.relay().messages().size(), is(sent));
                assertThat("the cancelled answer never ends its talk cycle",
                           call.relay().messages().stream().anyMatch(m -> m.path("last").asBoolean()), is(false));
            }
        }
    }

    @Test
    void keysReachTheAgentAsKeypadInputAndAreMaskedInStorage() throws Exception {
        try (AgentHarness h = AgentHarness.start(RelayCalls.RELAY_PERSONAS)) {
            h.cloudflare.queueReplies("Thanks, I have your account number.");
            String callSid;
            try (RelayCalls.Call call = RelayCalls.call(h, "+15551230104")) {
                callSid = call.callSid();
                for (String key : new String[] {"4", "2", "7", "#"}) {
                    call.relay().dtmf(key);
                }
                assertThat(call.relay().awaitReply(WAIT), is("Thanks, I have your account number."));
                List<Map<String, String>> asked = h.cloudflare.chatCalls().getFirst().messages();
                assertThat("the model hears the keys", asked.getLast().get("content"), is("(The caller pressed: 4 2 7 #)"));
                call.relay().hangUp();
            }
            CallDetail stored = h.awaitStoredCall(callSid, d -> d.call().endedAt().isPresent(), "the call stored");
            TurnRecord keys = stored.turns().stream().filter(t -> t.role() == TurnRecord.Role.CALLER).findFirst().orElseThrow();
            assertThat("digits are masked by default", keys.text(), is("(The caller pressed: * * * #)"));
        }
    }

    @Test
    void endCallSendsEndWithHandoffDataAfterTheReplyAndTheCallIsStoredAndPushedToTheCrm() throws Exception {
        try (AgentHarness h = AgentHarness.start(RelayCalls.RELAY_PERSONAS)) {
            h.cloudflare.queueReplies("You're welcome, goodbye! [END_CALL]");
            String callSid;
            try (RelayCalls.Call call = RelayCalls.call(h, "+15551230105")) {
                callSid = call.callSid();
                call.relay().prompt("That's all, thanks.");
                assertThat("the control token is never spoken", call.relay().awaitReply(WAIT), is("You're welcome, goodbye! "));
                JsonNode end = call.relay().awaitMessage(WAIT);
                assertThat(end.get("type").asText(), is("end"));
                JsonNode handoff = new com.fasterxml.jackson.databind.ObjectMapper().readTree(end.get("handoffData").asText());
                assertThat(handoff.get("reasonCode").asText(), is("agent-ended"));
                call.relay().hangUp();
            }
            CallDetail stored = h.awaitStoredCall(callSid, d -> AfterCallTest.delivered(d, "gohighlevel"),
                                                  "the call delivered to GoHighLevel");
            assertThat(stored.call().endReason().orElseThrow(), is("agent hung up"));
            assertThat(stored.call().streamSid(), is("VX" + callSid.substring(2)));
            List<TurnRecord> turns = stored.turns();
            assertThat(turns.get(0).text(), is("Hello, how can I help?"));
            assertThat(turns.get(1).text(), is("That's all, thanks."));
            assertThat(turns.get(2).text(), is("You're welcome, goodbye!"));
            assertThat("the relay turn's timings are stored", turns.get(2).timingsMs(), hasKey("firstTokenSent"));
            assertThat(turns.get(2).timingsMs(), hasKey("llmFirstToken"));
            assertThat(turns.get(2).timingsMs().get("firstTokenSent"), greaterThanOrEqualTo(0L));

            assertThat(h.ghl.notes().size(), is(1));
            String note = h.ghl.notes().getFirst().note().get("body").asText();
            assertThat(note, containsString("Caller: That's all, thanks."));
            assertThat(note, containsString("Agent: You're welcome, goodbye!"));
            assertThat(note, not(containsString("END_CALL")));
        }
    }

    @Test
    void aFailedModelIsApologisedForAndTheTalkCycleEnds() throws Exception {
        try (AgentHarness h = AgentHarness.start(RelayCalls.RELAY_PERSONAS)) {
            for (int i = 0; i < 2; i++) {
                h.cloudflare.failNext(FakeCloudflare.LLM, dev.voiceagent.fakes.Fault.status(500));
            }
            try (RelayCalls.Call call = RelayCalls.call(h, "+15551230106")) {
                call.relay().prompt("Hello?");
                assertThat(call.relay().awaitReply(WAIT), is("Sorry, say that again?"));
            }
        }
    }
}
