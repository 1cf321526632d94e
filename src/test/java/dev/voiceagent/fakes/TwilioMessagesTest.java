package dev.voiceagent.fakes;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The caller's frames, byte for byte as in Twilio's "Media Streams - WebSocket Messages" page. */
class TwilioMessagesTest {

    private static final String SID = "MZ0123456789abcdef0123456789abcdef";
    private static final String ACCOUNT = "AC0123456789abcdef0123456789abcdef";
    private static final String CALL = "CA0123456789abcdef0123456789abcdef";

    @Test
    void streamSidLooksLikeTwilios() {
        assertThat(TwilioMessages.newStreamSid().matches("MZ[0-9a-f]{32}"), is(true));
    }

    @Test
    void framesMatchTheDocumentedShapes() {
        assertThat(TwilioMessages.connected(), is("{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}"));
        assertThat(TwilioMessages.start(1, ACCOUNT, SID, CALL, Map.of("FirstName", "Jane")),
                is("{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"accountSid\":\"" + ACCOUNT
                        + "\",\"streamSid\":\"" + SID + "\",\"callSid\":\"" + CALL + "\",\"tracks\":[\"inbound\"],"
                        + "\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1},"
                        + "\"customParameters\":{\"FirstName\":\"Jane\"}},\"streamSid\":\"" + SID + "\"}"));
        assertThat(TwilioMessages.media(4, SID, 2, 20, new byte[] {(byte) 0xFF, 0x7F}),
                is("{\"event\":\"media\",\"sequenceNumber\":\"4\",\"media\":{\"track\":\"inbound\",\"chunk\":\"2\","
                        + "\"timestamp\":\"20\",\"payload\":\"/38=\"},\"streamSid\":\"" + SID + "\"}"));
        assertThat(TwilioMessages.dtmf(5, SID, "1"),
                is("{\"event\":\"dtmf\",\"streamSid\":\"" + SID + "\",\"sequenceNumber\":\"5\","
                        + "\"dtmf\":{\"track\":\"inbound_track\",\"digit\":\"1\"}}"));
        assertThat(TwilioMessages.mark(6, SID, "my label"),
                is("{\"event\":\"mark\",\"sequenceNumber\":\"6\",\"streamSid\":\"" + SID + "\","
                        + "\"mark\":{\"name\":\"my label\"}}"));
        assertThat(TwilioMessages.stop(7, SID, ACCOUNT, CALL),
                is("{\"event\":\"stop\",\"sequenceNumber\":\"7\",\"stop\":{\"accountSid\":\"" + ACCOUNT
                        + "\",\"callSid\":\"" + CALL + "\"},\"streamSid\":\"" + SID + "\"}"));
    }

    @Test
    void mediaWithAnUnusualStreamIdIsStillValidJson() {
        assertThat(TwilioMessages.media(1, "MZ\"x", 1, 0, new byte[] {0}),
                is("{\"event\":\"media\",\"sequenceNumber\":\"1\",\"media\":{\"track\":\"inbound\",\"chunk\":\"1\","
                        + "\"timestamp\":\"0\",\"payload\":\"AA==\"},\"streamSid\":\"MZ\\\"x\"}"));
    }

    @Test
    void customParametersAreEscaped() {
        String start = TwilioMessages.start(1, ACCOUNT, SID, CALL, Map.of("Note", "say \"hi\""));
        assertThat(start.contains("\"customParameters\":{\"Note\":\"say \\\"hi\\\"\"}"), is(true));
    }
}
