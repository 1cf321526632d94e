package dev.voiceagent.twilio;

import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** ConversationRelay messages, exactly as Twilio's reference shows them, decode to records; ours encode to its shapes. */
class RelayCodecTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void setupCarriesTheCallAndTheTwimlParameters() throws Exception {
        RelayMessage m = RelayCodec.decode("""
                { "type": "setup", "sessionId": "VX00000000000000000000000000000000",
                  "accountSid": "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "parentCallSid": "",
                  "callSid": "CA00000000000000000000000000000000", "from": "+18005550100", "to": "+18005550101",
                  "forwardedFrom": "+18005550102", "callType": "PSTN", "callerName": "", "direction": "inbound",
                  "callStatus": "RINGING", "customParameters": { "callReference": "bar", "token": "1.abc" } }""");
        RelayMessage.Setup setup = (RelayMessage.Setup) m;
        assertThat(setup.callSid(), is("CA00000000000000000000000000000000"));
        assertThat(setup.sessionId(), is("VX00000000000000000000000000000000"));
        assertThat(setup.from(), is("+18005550100"));
        assertThat(setup.to(), is("+18005550101"));
        assertThat(setup.parameter("token"), is("1.abc"));
        assertThat(setup.parameter("absent"), is(""));
    }

    @Test
    void setupWithoutParametersHasNone() throws Exception {
        RelayMessage.Setup setup = (RelayMessage.Setup) RelayCodec.decode("{\"type\":\"setup\",\"callSid\":\"CA1\"}");
        assertThat(setup.customParameters(), is(Map.of()));
    }

    @Test
    void promptDtmfInterruptErrorAndInfoDecode() throws Exception {
        assertThat(RelayCodec.decode("{ \"type\": \"prompt\", \"voicePrompt\": \"Hi! Can you tell me about life?\", \"lang\": \"en-US\", \"last\": true }"),
                   is(new RelayMessage.Prompt("Hi! Can you tell me about life?", "en-US", true)));
        assertThat(RelayCodec.decode("{\"type\":\"prompt\",\"voicePrompt\":\"Hi\",\"last\":false}"),
                   is(new RelayMessage.Prompt("Hi", "", false)));
        assertThat(RelayCodec.decode("{ \"type\": \"dtmf\", \"digit\": \"1\" }"), is(new RelayMessage.Dtmf("1")));
        assertThat(RelayCodec.decode("{ \"type\": \"error\", \"description\": \"Invalid message received\" }"),
                   is(new RelayMessage.Error("Invalid message received")));
        assertThat(RelayCodec.decode("{\"type\":\"info\",\"name\":\"agentSpeaking\",\"value\":\"on\"}"),
                   is(new RelayMessage.Info("agentSpeaking", "on")));
    }

    @Test
    void theInterruptDurationIsReadAsANumberOrAsAString() throws Exception {
        RelayMessage.Interrupt number = new RelayMessage.Interrupt("Life is a complex set of", 460);
        assertThat(RelayCodec.decode("{ \"type\": \"interrupt\", \"utteranceUntilInterrupt\": \"Life is a complex set of\", \"durationUntilInterruptMs\": 460 }"),
                   is(number));
        assertThat(RelayCodec.decode("{ \"type\": \"interrupt\", \"utteranceUntilInterrupt\": \"Life is a complex set of\", \"durationUntilInterruptMs\": \"460\" }"),
                   is(number));
        assertThat(RelayCodec.decode("{\"type\":\"interrupt\",\"utteranceUntilInterrupt\":\"\"}"),
                   is(new RelayMessage.Interrupt("", -1)));
    }

    @Test
    void anUnknownTypeIsKeptApartFromMalformedInput() throws Exception {
        assertThat(RelayCodec.decode("{\"type\":\"somethingNew\"}"), is(new RelayMessage.Unknown("somethingNew")));
    }

    @Test
    void malformedInputIsRefusedWithWhatIsWrong() {
        assertThat(assertThrows(MalformedFrameException.class, () -> RelayCodec.decode("nope")).getMessage(),
                   containsString("not JSON"));
        assertThat(assertThrows(MalformedFrameException.class, () -> RelayCodec.decode("[1]")).getMessage(),
                   containsString("not a JSON object"));
        assertThat(assertThrows(MalformedFrameException.class, () -> RelayCodec.decode("{\"voicePrompt\":\"x\"}")).getMessage(),
                   containsString("'type'"));
        assertThat(assertThrows(MalformedFrameException.class, () -> RelayCodec.decode("{\"type\":\"prompt\"}")).getMessage(),
                   containsString("'voicePrompt'"));
        assertThat(assertThrows(MalformedFrameException.class,
                                () -> RelayCodec.decode("{\"type\":\"prompt\",\"voicePrompt\":\"x\",\"last\":\"maybe\"}")).getMessage(),
                   containsString("'last'"));
        assertThat(assertThrows(MalformedFrameException.class, () -> RelayCodec.decode("{\"type\":\"setup\"}")).getMessage(),
                   containsString("'callSid'"));
        assertThat(assertThrows(MalformedFrameException.class,
                                () -> RelayCodec.decode("{\"type\":\"setup\",\"callSid\":\"CA1\",\"customParameters\":[1]}")).getMessage(),
                   containsString("customParameters"));
        assertThat(assertThrows(MalformedFrameException.class, () -> RelayCodec.decode("{\"type\":\"dtmf\",\"digit\":\"12\"}")).getMessage(),
                   containsString("keypad"));
        assertThat(assertThrows(MalformedFrameException.class,
                                () -> RelayCodec.decode("{\"type\":\"interrupt\",\"durationUntilInterruptMs\":\"soon\"}")).getMessage(),
                   containsString("durationUntilInterruptMs"));
    }

    @Test
    void textTokensAreSentExactlyWithTheirSpaces() throws Exception {
        JsonNode text = JSON.readTree(RelayCodec.text(" world, ", false));
        assertThat(text.get("type").asText(), is("text"));
        assertThat(text.get("token").asText(), is(" world, "));
        assertThat(text.get("last").asBoolean(), is(false));
        JsonNode last = JSON.readTree(RelayCodec.text("", true));
        assertThat(last.get("token").isTextual(), is(true));
        assertThat(last.get("last").asBoolean(), is(true));
        assertThat(JSON.readTree(RelayCodec.text("say \"hi\"\n", false)).get("token").asText(), is("say \"hi\"\n"));
    }

    @Test
    void endCarriesHandoffDataAsAString() throws Exception {
        JsonNode end = JSON.readTree(RelayCodec.end(Optional.of(RelayCodec.handoff("live-agent-handoff", "wants a person"))));
        assertThat(end.get("type").asText(), is("end"));
        assertThat(end.get("handoffData").isTextual(), is(true));
        JsonNode data = JSON.readTree(end.get("handoffData").asText());
        assertThat(data.get("reasonCode").asText(), is("live-agent-handoff"));
        assertThat(data.get("reason").asText(), is("wants a person"));
        assertThat(JSON.readTree(RelayCodec.end(Optional.empty())).has("handoffData"), is(false));
        assertThat(RelayCodec.decode("{\"type\":\"dtmf\",\"digit\":\"#\"}"), instanceOf(RelayMessage.Dtmf.class));
    }
}
