package dev.voiceagent.e2e;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeConversationRelay;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Who may start a ConversationRelay call: the signed voice webhook answers a relay persona with
 * {@code <Connect action><ConversationRelay>} carrying the persona's settings and a single-use token; the relay
 * socket needs Twilio's handshake signature, and {@code setup} needs that token, once, for that call.
 */
class RelayAdmissionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void theWebhookAnswersARelayPersonaWithConversationRelayAndTheCallsParameters() throws Exception {
        try (AgentHarness h = AgentHarness.start(RelayCalls.RELAY_PERSONAS)) {
            RelayCalls.RelayTwiml twiml = RelayCalls.answer(h, "+15551230201").getValue();
            assertThat(twiml.action(), is(AgentHarness.PUBLIC_BASE_URL + "/twilio/relay/action"));
            assertThat(twiml.url(), is("wss://agent.example.test/twilio/relay"));
            Map<String, String> a = twiml.attributes();
            assertThat(a.get("welcomeGreeting"), is("Hello, how can I help?"));
            assertThat(a.get("ttsProvider"), is("ElevenLabs"));
            assertThat(a.get("voice"), is("relay-voice"));
            assertThat(a.get("transcriptionProvider"), is("Deepgram"));
            assertThat(a.get("speechModel"), is("nova-3-general"));
            assertThat(a.get("language"), is("en-US"));
            assertThat(a.get("interruptible"), is("any"));
            assertThat(a.get("dtmfDetection"), is("true"));
            assertThat(a.get("hints"), is("Acme,check-up"));
            assertThat(twiml.parameters().get("from"), is("+15551230201"));
            assertThat(twiml.parameters().get("to"), is(AgentHarness.AGENT_NUMBER));
            assertThat(twiml.parameters().get("persona"), is("tester"));
            assertThat(twiml.parameters().get("verstat"), is(""));
            assertThat(twiml.parameters().get("token").matches("\\d+\\.[A-Za-z0-9_-]+"), is(true));

            String persona = h.api("/personas/tester").body();
            assertThat(persona, org.hamcrest.Matchers.containsString("\"transport\":\"conversation-relay\""));
            assertThat(persona, org.hamcrest.Matchers.containsString("\"speechModel\":\"nova-3-general\""));
        }
    }

    @Test
    void anUnsignedOrWronglySignedWebhookIsRefused() throws Exception {
        try (AgentHarness h = AgentHarness.start(RelayCalls.RELAY_PERSONAS)) {
            Map<String, String> form = AgentHarness.voiceForm(AgentHarness.newCallSid(), "+15551230202");
            assertThat(h.postVoiceWebhook(form, null).statusCode(), is(403));
            assertThat(h.postVoiceWebhook(form, AgentHarness.sign("https://elsewhere.test/twilio/voice", form)).statusCode(),
                       is(403));
        }
    }

    @Test
    void aHandshakeWithoutAValidSignatureIsRefused() throws Exception {
        try (AgentHarness h = AgentHarness.start(RelayCalls.RELAY_PERSONAS)) {
            assertThrows(Exception.class, () -> FakeConversationRelay.connect(RelayCalls.relayUri(h), Map.of()));
            assertThrows(Exception.class, () -> RelayCalls.open(h, "wss://elsewhere.test/twilio/relay"));
            assertThrows(Exception.class, () -> RelayCalls.open(h, "wss://agent.example.test/twilio/media-not-this"));
            try (FakeConversationRelay ok = RelayCalls.open(h, "wss://agent.example.test/twilio/relay")) {
                assertThat("the URL in the TwiML is accepted", ok.isClosed(), is(false));
            }
        }
    }

    @Test
    void aSetupWithoutTheTokenOrWithAReusedOneIsClosedAndNoCallStarts() throws Exception {
        try (AgentHarness h = AgentHarness.start(RelayCalls.RELAY_PERSONAS)) {
            Map.Entry<String, RelayCalls.RelayTwiml> answered = RelayCalls.answer(h, "+15551230203");
            String callSid = answered.getKey();
            Map<String, String> params = answered.getValue().parameters();

            Map<String, String> noToken = new java.util.HashMap<>(params);
            noToken.remove("token");
            try (FakeConversationRelay relay = RelayCalls.open(h, answered.getValue().url())) {
                relay.setup(callSid, "+15551230203", AgentHarness.AGENT_NUMBER, noToken);
                assertThat(relay.awaitClose(WAIT), is(1008));
            }
            try (FakeConversationRelay relay = RelayCalls.open(h, answered.getValue().url())) {
                relay.setup(AgentHarness.newCallSid(), "+15551230203", AgentHarness.AGENT_NUMBER, params);
                assertThat("a token is for its own call only", relay.awaitClose(WAIT), is(1008));
            }
            try (FakeConversationRelay relay = RelayCalls.open(h, answered.getValue().url())) {
                relay.setup(callSid, "+15551230203", AgentHarness.AGENT_NUMBER, params);
                relay.prompt("Hello?");
                relay.awaitReply(WAIT);
                try (FakeConversationRelay replay = RelayCalls.open(h, answered.getValue().url())) {
                    replay.setup(callSid, "+15551230203", AgentHarness.AGENT_NUMBER, params);
                    assertThat("a token works once", replay.awaitClose(WAIT), is(1008));
                }
                assertThat(h.activeCalls(), is(1));
            }
            assertThat(h.cloudflare.chatCalls().size(), is(1));
        }
    }
}
