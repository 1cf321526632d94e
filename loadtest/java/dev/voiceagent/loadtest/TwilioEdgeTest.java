package dev.voiceagent.loadtest;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class TwilioEdgeTest {

    @Test
    void signsTwiliosDocumentedExample() {
        // https://www.twilio.com/docs/usage/security: the worked example of the signing algorithm.
        Map<String, String> params = Map.of("CallSid", "CA1234567890ABCDE", "Caller", "+14158675310", "Digits", "1234",
                                            "From", "+14158675310", "To", "+18005551212");

        assertThat(TwilioEdge.sign("12345", "https://example.com/myapp.php?foo=1&bar=2", params),
                   is("L/OH5YylLD5NRKLltdqwSvS0BnU="));
    }

    @Test
    void readsTheStreamAndItsParameters() throws Exception {
        TwilioEdge.StreamTwiml twiml = TwilioEdge.parse("""
                <?xml version="1.0" encoding="UTF-8"?>
                <Response><Connect><Stream url="wss://agent.example.test/twilio/media">
                <Parameter name="persona" value="load"/><Parameter name="token" value="t&amp;1"/>
                </Stream></Connect></Response>""");

        assertThat(twiml.url(), is("wss://agent.example.test/twilio/media"));
        assertThat(twiml.parameters(), is(Map.of("persona", "load", "token", "t&1")));
    }

    @Test
    void readsTheConversationRelayAndItsParameters() throws Exception {
        String xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <Response><Connect action="https://agent.example.test/twilio/relay/action">
                <ConversationRelay url="wss://agent.example.test/twilio/relay" welcomeGreeting="Hi">
                <Parameter name="persona" value="load"/><Parameter name="token" value="t1"/>
                </ConversationRelay></Connect></Response>""";
        TwilioEdge.StreamTwiml twiml = TwilioEdge.parse(xml, "ConversationRelay");

        assertThat(twiml.url(), is("wss://agent.example.test/twilio/relay"));
        assertThat(twiml.parameters(), is(Map.of("persona", "load", "token", "t1")));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> TwilioEdge.parse(xml));
    }

    @Test
    void connectsToTheRealServerAtTheTwimlPath() {
        TwilioEdge edge = new TwilioEdge(HttpClient.newHttpClient(), URI.create("http://127.0.0.1:18080"),
                                         "https://agent.example.test", "token");
        TwilioEdge.StreamTwiml twiml = new TwilioEdge.StreamTwiml("wss://agent.example.test/twilio/media", Map.of());

        assertThat(edge.mediaUri(twiml), is(URI.create("ws://127.0.0.1:18080/twilio/media")));
        assertThat(edge.handshakeSignature(twiml), is(TwilioEdge.sign("token", "wss://agent.example.test/twilio/media", Map.of())));
    }
}
