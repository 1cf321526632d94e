package dev.voiceagent.twilio;

import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The Media Streams codec decodes Twilio's documented messages and writes only what Twilio accepts. */
class MediaStreamCodecTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SID = "MZ18ad3ab5a668481ce02b83e7395059f0";

    @Test
    void decodesConnected() throws Exception {
        StreamEvent e = MediaStreamCodec.decode("{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}");
        assertThat(e, is(new StreamEvent.Connected("Call", "1.0.0")));
    }

    @Test
    void decodesTheDocumentedStartMessage() throws Exception {
        String start = """
                {"event":"start","sequenceNumber":"1","start":{"accountSid":"ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
                "streamSid":"MZ18ad3ab5a668481ce02b83e7395059f0","callSid":"CA0000000000000000000000000000000a",
                "tracks":["inbound"],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1},
                "customParameters":{"persona":"receptionist","token":"t.1"}},
                "streamSid":"MZ18ad3ab5a668481ce02b83e7395059f0"}""";
        StreamEvent.Start s = (StreamEvent.Start) MediaStreamCodec.decode(start);
        assertThat(s.streamSid(), is(SID));
        assertThat(s.callSid(), is("CA0000000000000000000000000000000a"));
        assertThat(s.customParameters(), is(Map.of("persona", "receptionist", "token", "t.1")));
        assertThat(s.encoding(), is("audio/x-mulaw"));
        assertThat(s.sampleRate(), is(8000));
        assertThat(s.parameter("missing"), is(""));
    }

    @Test
    void decodesMediaWithStringNumbersAndBase64Payload() throws Exception {
        byte[] audio = {1, 2, (byte) 0xFF, 0x7F};
        String media = "{\"event\":\"media\",\"sequenceNumber\":\"4\",\"media\":{\"track\":\"inbound\",\"chunk\":\"2\","
                + "\"timestamp\":\"40\",\"payload\":\"" + Base64.getEncoder().encodeToString(audio) + "\"},"
                + "\"streamSid\":\"" + SID + "\"}";
        StreamEvent.Media m = (StreamEvent.Media) MediaStreamCodec.decode(media);
        assertThat(m.payload(), is(audio));
        assertThat(m.chunk(), is(2L));
        assertThat(m.timestampMillis(), is(40L));
        assertThat(m.streamSid(), is(SID));
    }

    @Test
    void decodesMarkDtmfAndStop() throws Exception {
        assertThat(MediaStreamCodec.decode("{\"event\":\"mark\",\"sequenceNumber\":\"4\",\"streamSid\":\"" + SID
                                           + "\",\"mark\":{\"name\":\"r1.0\"}}"),
                   is(new StreamEvent.Mark(SID, "r1.0")));
        assertThat(MediaStreamCodec.decode("{\"event\":\"dtmf\",\"streamSid\":\"" + SID + "\",\"sequenceNumber\":\"5\","
                                           + "\"dtmf\":{\"track\":\"inbound_track\",\"digit\":\"#\"}}"),
                   is(new StreamEvent.Dtmf(SID, "#")));
        assertThat(MediaStreamCodec.decode("{\"event\":\"stop\",\"sequenceNumber\":\"5\",\"stop\":{\"accountSid\":\"AC1\","
                                           + "\"callSid\":\"CA1\"},\"streamSid\":\"" + SID + "\"}"),
                   is(new StreamEvent.Stop(SID, "CA1")));
    }

    @Test
    void unknownEventsDecodeToUnknownRatherThanFailing() throws Exception {
        assertThat(MediaStreamCodec.decode("{\"event\":\"telemetry\",\"x\":1}"), is(new StreamEvent.Unknown("telemetry")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "not json",
            "[1,2,3]",
            "{\"noEvent\":true}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\"}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"***not base64***\"}}",
            "{\"event\":\"start\",\"start\":{\"streamSid\":\"MZ1\"}}",
            "{\"event\":\"mark\",\"streamSid\":\"MZ1\",\"mark\":{}}",
            "{\"event\":\"dtmf\",\"streamSid\":\"MZ1\",\"dtmf\":{\"digit\":\"hello\"}}"
    })
    void malformedFramesAreRejectedWithAReason(String frame) {
        MalformedFrameException e = assertThrows(MalformedFrameException.class, () -> MediaStreamCodec.decode(frame));
        assertThat(e.getMessage().isBlank(), is(false));
    }

    @Test
    void encodesMediaExactlyAsTwilioDocumentsIt() throws Exception {
        byte[] audio = {0, 1, 2, 3, 4, 5};
        JsonNode media = JSON.readTree(MediaStreamCodec.media(SID, audio, 1, 4));
        assertThat(media.get("event").asText(), is("media"));
        assertThat(media.get("streamSid").asText(), is(SID));
        assertThat(Base64.getDecoder().decode(media.get("media").get("payload").asText()), is(new byte[] {1, 2, 3, 4}));
        assertThat(media.size(), is(3));
        assertThat(media.get("media").size(), is(1));
    }

    @Test
    void encodesMarkAndClear() throws Exception {
        JsonNode mark = JSON.readTree(MediaStreamCodec.mark(SID, "r3.\"end\""));
        assertThat(mark.get("event").asText(), is("mark"));
        assertThat(mark.get("mark").get("name").asText(), is("r3.\"end\""));
        JsonNode clear = JSON.readTree(MediaStreamCodec.clear(SID));
        assertThat(clear.get("event").asText(), is("clear"));
        assertThat(clear.get("streamSid").asText(), is(SID));
    }

    @Test
    void encodesTheWebPhonesTranscriptEventWithItsTextEscaped() throws Exception {
        JsonNode t = JSON.readTree(MediaStreamCodec.transcript(SID, "agent", "Say \"hi\"\n—then </script>", true));
        assertThat(t.get("event").asText(), is("transcript"));
        assertThat(t.get("streamSid").asText(), is(SID));
        assertThat(t.get("transcript").get("role").asText(), is("agent"));
        assertThat(t.get("transcript").get("text").asText(), is("Say \"hi\"\n—then </script>"));
        assertThat(t.get("transcript").get("interrupted").asBoolean(), is(true));
        assertThat("Twilio's decoder would not know it", MediaStreamCodec.decode(t.toString()),
                   instanceOf(StreamEvent.Unknown.class));
    }

    @Test
    void refusesToWriteAStreamSidThatWouldBreakTheJson() {
        assertThrows(IllegalArgumentException.class, () -> MediaStreamCodec.clear("MZ\",\"x"));
    }

    @Test
    void roundTripsItsOwnOutputThroughTheDecoderShape() throws Exception {
        assertThat(MediaStreamCodec.decode(MediaStreamCodec.mark(SID, "n")), instanceOf(StreamEvent.Mark.class));
        assertThat(MediaStreamCodec.clear(SID), containsString(SID));
    }

    @Test
    void mediaDecodesTheSameWhateverTheFieldOrderNumberStyleOrExtraFields() throws Exception {
        String payload = Base64.getEncoder().encodeToString(new byte[] {9, 8, 7});
        StreamEvent.Media expected = (StreamEvent.Media) MediaStreamCodec.decode(
                "{\"event\":\"media\",\"sequenceNumber\":\"4\",\"media\":{\"track\":\"inbound\",\"chunk\":\"2\","
                + "\"timestamp\":\"40\",\"payload\":\"" + payload + "\"},\"streamSid\":\"" + SID + "\"}");
        StreamEvent.Media reordered = (StreamEvent.Media) MediaStreamCodec.decode(
                "{\"streamSid\":\"" + SID + "\",\"extra\":{\"nested\":[1,{\"a\":2}]},\"media\":{\"payload\":\"" + payload
                + "\",\"timestamp\":40,\"chunk\":2,\"track\":\"inbound\",\"future\":true},\"event\":\"media\"}");
        assertThat(reordered.payload(), is(expected.payload()));
        assertThat(reordered.chunk(), is(2L));
        assertThat(reordered.timestampMillis(), is(40L));
        assertThat(reordered.streamSid(), is(SID));
    }
}
