package dev.voiceagent.twilio;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** TwiML documents are well-formed and carry parameters safely. */
class TwiMLTest {

    @Test
    void connectStreamCarriesTheUrlAndEscapedParameters() throws Exception {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("from", "+1555<\"&'>");
        params.put("token", "123.abc");
        Document doc = parse(TwiML.connectStream("wss://agent.example.com/twilio/media", params));
        Element stream = (Element) doc.getElementsByTagName("Stream").item(0);
        assertThat(stream.getParentNode().getNodeName(), is("Connect"));
        assertThat(stream.getAttribute("url"), is("wss://agent.example.com/twilio/media"));
        Element first = (Element) stream.getElementsByTagName("Parameter").item(0);
        assertThat(first.getAttribute("name"), is("from"));
        assertThat(first.getAttribute("value"), is("+1555<\"&'>"));
        assertThat(stream.getElementsByTagName("Parameter").getLength(), is(2));
    }

    @Test
    void sayAndHangUpIsWellFormed() throws Exception {
        Document doc = parse(TwiML.sayAndHangUp("Sorry & goodbye"));
        assertThat(doc.getElementsByTagName("Say").item(0).getTextContent(), is("Sorry & goodbye"));
        assertThat(doc.getElementsByTagName("Hangup").getLength(), is(1));
    }

    @Test
    void sayAndDialForwardsTheCallAfterAShortMessage() throws Exception {
        Document doc = parse(TwiML.sayAndDial("Busy & connecting", "+15550100002"));
        assertThat(doc.getElementsByTagName("Say").item(0).getTextContent(), is("Busy & connecting"));
        assertThat(doc.getElementsByTagName("Dial").item(0).getTextContent(), is("+15550100002"));
        assertThat(doc.getElementsByTagName("Stream").getLength(), is(0));
    }

    @Test
    void theCallersAttestationTravelsAsAStreamParameter() throws Exception {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("verstat", "TN-Validation-Passed-A");
        Document doc = parse(TwiML.connectStream("wss://agent.example.com/twilio/media", params));
        Element p = (Element) doc.getElementsByTagName("Parameter").item(0);
        assertThat(p.getAttribute("name"), is("verstat"));
        assertThat(p.getAttribute("value"), is("TN-Validation-Passed-A"));
    }

    private static Document parse(String xml) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }
}
