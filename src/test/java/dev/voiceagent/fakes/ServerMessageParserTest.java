package dev.voiceagent.fakes;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import dev.voiceagent.fakes.ServerMessage.Clear;
import dev.voiceagent.fakes.ServerMessage.Invalid;
import dev.voiceagent.fakes.ServerMessage.Mark;
import dev.voiceagent.fakes.ServerMessage.Media;
import org.junit.jupiter.api.Test;

/** Which server frames Twilio accepts on a bidirectional stream. */
class ServerMessageParserTest {

    private static final String SID = "MZ0123456789abcdef0123456789abcdef";

    @Test
    void acceptsTheThreeDocumentedMessages() {
        ServerMessage media = parse("{\"event\":\"media\",\"streamSid\":\"" + SID + "\",\"media\":{\"payload\":\"/38=\"}}");
        assertThat(((Media) media).payload(), is(new byte[] {(byte) 0xFF, 0x7F}));
        ServerMessage mark = parse("{\"event\":\"mark\",\"streamSid\":\"" + SID + "\",\"mark\":{\"name\":\"m\"}}");
        assertThat(((Mark) mark).name(), is("m"));
        assertThat(parse("{\"event\":\"clear\",\"streamSid\":\"" + SID + "\"}"), instanceOf(Clear.class));
    }

    @Test
    void rejectsWhatTwilioRejects() {
        assertProblem("{\"event\":\"clear\",\"streamSid\":\"MZother\"}", "wrong streamSid MZother");
        assertProblem("{\"event\":\"clear\"}", "missing streamSid");
        assertProblem("{\"event\":\"start\",\"streamSid\":\"" + SID + "\"}", "unknown event 'start'");
        assertProblem("{\"streamSid\":\"" + SID + "\"}", "missing event");
        assertProblem("not json", "not JSON");
        assertProblem("[1]", "not a JSON object");
        assertProblem("{\"event\":\"media\",\"streamSid\":\"" + SID + "\",\"media\":{\"playload\":\"AA==\"}}",
                "media without media.payload");
        assertProblem("{\"event\":\"media\",\"streamSid\":\"" + SID + "\",\"media\":{\"payload\":\"%%%\"}}",
                "media.payload is not base64");
        assertProblem("{\"event\":\"media\",\"streamSid\":\"" + SID + "\",\"media\":{\"payload\":\"AA==\","
                + "\"track\":\"outbound\"}}", "unexpected field 'track'");
        assertProblem("{\"event\":\"clear\",\"streamSid\":\"" + SID + "\",\"sequenceNumber\":\"3\"}",
                "unexpected field 'sequenceNumber'");
        assertProblem("{\"event\":\"mark\",\"streamSid\":\"" + SID + "\",\"mark\":{}}", "mark without mark.name");
    }

    private static ServerMessage parse(String text) {
        return ServerMessageParser.parse(text, SID);
    }

    private static void assertProblem(String text, String problem) {
        ServerMessage message = parse(text);
        assertThat(text, message, instanceOf(Invalid.class));
        assertThat(((Invalid) message).problem(), startsWith(problem));
    }
}
