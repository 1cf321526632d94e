package dev.voiceagent.twilio;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import dev.voiceagent.persona.RelaySettings;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** {@code <Connect action><ConversationRelay>} carries the persona's settings and the call's parameters safely. */
class RelayTwiMLTest {

    @Test
    void connectRelayCarriesTheActionUrlSettingsAndEscapedParameters() throws Exception {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("from", "+1555<\"&'>");
        params.put("token", "123.abc");
        RelaySettings relay = new RelaySettings("Google", "en-US-Journey-O", "Google", "telephony", "en-GB",
                                                RelaySettings.Interruptible.SPEECH, List.of("Acme & Co", "check-up"));
        Document doc = parse(TwiML.connectRelay("https://agent.example.com/twilio/relay/action",
                                                "wss://agent.example.com/twilio/relay", "Hi <there> & welcome", relay, params));
        Element connect = (Element) doc.getElementsByTagName("Connect").item(0);
        assertThat(connect.getAttribute("action"), is("https://agent.example.com/twilio/relay/action"));
        Element cr = (Element) connect.getElementsByTagName("ConversationRelay").item(0);
        assertThat(cr.getAttribute("url"), is("wss://agent.example.com/twilio/relay"));
        assertThat(cr.getAttribute("welcomeGreeting"), is("Hi <there> & welcome"));
        assertThat(cr.getAttribute("ttsProvider"), is("Google"));
        assertThat(cr.getAttribute("voice"), is("en-US-Journey-O"));
        assertThat(cr.getAttribute("transcriptionProvider"), is("Google"));
        assertThat(cr.getAttribute("speechModel"), is("telephony"));
        assertThat(cr.getAttribute("language"), is("en-GB"));
        assertThat(cr.getAttribute("interruptible"), is("speech"));
        assertThat(cr.getAttribute("dtmfDetection"), is("true"));
        assertThat(cr.getAttribute("hints"), is("Acme & Co,check-up"));
        Element first = (Element) cr.getElementsByTagName("Parameter").item(0);
        assertThat(first.getAttribute("name"), is("from"));
        assertThat(first.getAttribute("value"), is("+1555<\"&'>"));
        assertThat(cr.getElementsByTagName("Parameter").getLength(), is(2));
    }

    @Test
    void emptySettingsAreLeftToTwilio() throws Exception {
        Document doc = parse(TwiML.connectRelay("https://a.test/twilio/relay/action", "wss://a.test/twilio/relay", "Hello",
                                                RelaySettings.defaults(), Map.of()));
        Element cr = (Element) doc.getElementsByTagName("ConversationRelay").item(0);
        assertThat(cr.hasAttribute("voice"), is(false));
        assertThat(cr.hasAttribute("speechModel"), is(false));
        assertThat(cr.hasAttribute("hints"), is(false));
        assertThat(cr.getAttribute("ttsProvider"), is("ElevenLabs"));
        assertThat(cr.getAttribute("interruptible"), is("any"));
    }

    private static Document parse(String xml) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }
}
