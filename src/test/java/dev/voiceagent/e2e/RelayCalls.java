package dev.voiceagent.e2e;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import dev.voiceagent.fakes.FakeConversationRelay;
import dev.voiceagent.twilio.TwilioSignature;

/**
 * Places ConversationRelay calls on an {@link AgentHarness} the way Twilio does: the signed voice webhook, then the
 * relay socket to the TwiML's {@code url} with a signed handshake, then {@code setup} with the TwiML's parameters.
 */
final class RelayCalls {

    /** The harness's default persona, answering over ConversationRelay. */
    static final String RELAY_PERSONAS = AgentHarness.DEFAULT_PERSONAS.replace(
            "tags: [voice-agent, test-line]",
            """
            tags: [voice-agent, test-line]
                transport: conversation-relay
                relay: { ttsProvider: ElevenLabs, voice: relay-voice, transcriptionProvider: Deepgram,
                         speechModel: nova-3-general, language: en-US, interruptible: any, hints: [Acme, check-up] }""");

    private RelayCalls() {
    }

    /** The {@code <Connect action>} and {@code <ConversationRelay>} of a TwiML answer. */
    record RelayTwiml(String action, Map<String, String> attributes, Map<String, String> parameters) {
        String url() {
            return attributes.get("url");
        }
    }

    /** A placed call: its sid, the TwiML it was answered with, and Twilio's side of the socket. */
    record Call(String callSid, RelayTwiml twiml, FakeConversationRelay relay) implements AutoCloseable {
        @Override
        public void close() {
            relay.close();
        }
    }

    static RelayTwiml parse(String xml) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
        Element connect = (Element) doc.getElementsByTagName("Connect").item(0);
        Element relay = (Element) doc.getElementsByTagName("ConversationRelay").item(0);
        if (connect == null || relay == null) {
            throw new AssertionError("not a <Connect><ConversationRelay> answer: " + xml);
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        for (int i = 0; i < relay.getAttributes().getLength(); i++) {
            attributes.put(relay.getAttributes().item(i).getNodeName(), relay.getAttributes().item(i).getNodeValue());
        }
        Map<String, String> params = new LinkedHashMap<>();
        NodeList list = relay.getElementsByTagName("Parameter");
        for (int i = 0; i < list.getLength(); i++) {
            Element p = (Element) list.item(i);
            params.put(p.getAttribute("name"), p.getAttribute("value"));
        }
        return new RelayTwiml(connect.getAttribute("action"), attributes, params);
    }

    /** Answers the webhook for a new call from {@code from}; returns the sid and TwiML. */
    static Map.Entry<String, RelayTwiml> answer(AgentHarness h, String from) throws Exception {
        return answer(h, from, null);
    }

    /** As {@link #answer(AgentHarness, String)}, with Twilio's SHAKEN/STIR attestation of the caller id. */
    static Map.Entry<String, RelayTwiml> answer(AgentHarness h, String from, String stirVerstat) throws Exception {
        String callSid = AgentHarness.newCallSid();
        Map<String, String> form = AgentHarness.voiceForm(callSid, from);
        if (stirVerstat != null) {
            form.put("StirVerstat", stirVerstat);
        }
        HttpResponse<String> answer = h.postVoiceWebhook(form, AgentHarness.sign(AgentHarness.PUBLIC_BASE_URL + "/twilio/voice", form));
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("webhook answered " + answer.statusCode() + ": " + answer.body());
        }
        return Map.entry(callSid, parse(answer.body()));
    }

    static URI relayUri(AgentHarness h) {
        return URI.create("ws://127.0.0.1:" + h.server.port() + "/twilio/relay");
    }

    /** Opens the relay socket signed for {@code signedUrl}. */
    static FakeConversationRelay open(AgentHarness h, String signedUrl) throws Exception {
        return FakeConversationRelay.connect(relayUri(h), Map.of("X-Twilio-Signature",
                                                                 new TwilioSignature(AgentHarness.AUTH_TOKEN).sign(signedUrl, Map.of())));
    }

    /** Places a call and sends {@code setup}. */
    static Call call(AgentHarness h, String from) throws Exception {
        Map.Entry<String, RelayTwiml> answered = answer(h, from);
        FakeConversationRelay relay = open(h, answered.getValue().url());
        relay.setup(answered.getKey(), from, AgentHarness.AGENT_NUMBER, answered.getValue().parameters());
        return new Call(answered.getKey(), answered.getValue(), relay);
    }
}
