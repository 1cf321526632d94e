package dev.voiceagent.loadtest;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

class ServerLogTest {

    private static final String TURN = "{\"ts\":\"2026-11-22T02:00:00Z\",\"level\":\"INFO\",\"logger\":\"dev.voiceagent.call\","
            + "\"msg\":\"turn\",\"callSid\":\"CA1\",\"turn\":1,\"reply\":2,\"eosMs\":600,\"sttMs\":352,\"llmFirstTokenMs\":301,"
            + "\"llmFirstSentenceMs\":420,\"ttsFirstByteMs\":203,\"firstFrameMs\":990,\"voiceToVoiceMs\":1590,"
            + "\"serverMs\":15,\"interrupted\":false,\"endsCall\":false}";

    @Test
    void readsTurnTimingsEndsAndWarnings() {
        ServerLog log = ServerLog.parse(Stream.of(
                "WARNING: A terminally deprecated method in sun.misc.Unsafe has been called",
                TURN,
                TURN.replace("\"serverMs\":15", "\"serverMs\":-1").replace("CA1", "CA2"),
                "{\"level\":\"INFO\",\"msg\":\"call ended\",\"callSid\":\"CA1\",\"reason\":\"caller hung up\"}",
                "{\"level\":\"INFO\",\"msg\":\"call ended\",\"callSid\":\"CA2\",\"reason\":\"caller hung up\"}",
                "{\"level\":\"WARNING\",\"msg\":\"call inbox full; dropping input\",\"callSid\":\"CA2\"}",
                "{\"level\":\"INFO\",\"msg\":\"truncated",
                ""));

        assertThat(log.turns().size(), is(2));
        ServerLog.Turn first = log.turns().getFirst();
        assertThat(first.callSid(), is("CA1"));
        assertThat(first.eosMs(), is(600L));
        assertThat(first.sttMs(), is(352L));
        assertThat(first.llmFirstTokenMs(), is(301L));
        assertThat(first.llmFirstSentenceMs(), is(420L));
        assertThat(first.ttsFirstByteMs(), is(203L));
        assertThat(first.firstFrameMs(), is(990L));
        assertThat(first.voiceToVoiceMs(), is(1590L));
        assertThat(first.serverMs(), is(15L));
        assertThat(log.samples(ServerLog.Turn::serverMs), contains(15L));
        assertThat(log.samples(ServerLog.Turn::voiceToVoiceMs), contains(1590L, 1590L));
        assertThat(log.endReasons().get("caller hung up"), is(2));
        assertThat(log.warnings().get("call inbox full; dropping input"), is(1));
    }

    @Test
    void collectsThePlayoutsStuttersByCause() {
        String dry = "{\"level\":\"INFO\",\"msg\":\"playout ran dry\",\"callSid\":\"%s\",\"ms\":%d,\"cause\":\"%s\"}";
        ServerLog log = ServerLog.parse(Stream.of(dry.formatted("CA1", 64, "sent_late"), dry.formatted("CA2", 230, "speech_late"),
                                                  dry.formatted("CA1", 21, "sent_late"), dry.formatted("CAwarm1", 90, "sent_late")),
                                        "CA1");   // CA2 and the warm-up call are not measured calls here

        assertThat(log.stutters().get("sent_late"), contains(64L, 21L));
        assertThat(log.stutters().containsKey("speech_late"), is(false));
        assertThat(ServerLog.parse(Stream.of(dry.formatted("CA2", 230, "speech_late"))).stutters().get("speech_late"),
                   contains(230L));
        assertThat(ServerLog.parse(Stream.of(TURN)).stutters().isEmpty(), is(true));
    }

    @Test
    void keepsOnlyTheMeasuredCalls() {
        ServerLog log = ServerLog.parse(Stream.of(TURN, TURN.replace("CA1", "CAwarm1"),
                "{\"level\":\"WARNING\",\"msg\":\"no call sid here\"}"), "CA1");

        assertThat(log.turns().size(), is(1));
        assertThat(log.warnings().get("no call sid here"), is(1));
    }
}
