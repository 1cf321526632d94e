package dev.voiceagent.crm;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import dev.voiceagent.persona.Persona;
import dev.voiceagent.persona.PersonaFile;
import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.StoredCall;
import dev.voiceagent.store.TurnRecord;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** What the CRM sees of a call: the note, the tags and the webhook record. */
class CallReportTest {

    private static final Instant T0 = Instant.parse("2026-11-20T15:04:05Z");
    private static final Persona RECEPTIONIST =
            PersonaFile.load(java.nio.file.Path.of("config/personas.yaml"), dev.voiceagent.tools.builtin.ShippedTools.kit()).byId("receptionist").orElseThrow();

    @Test
    void theNoteHasTheSummaryTheFactsInThePersonasOrderAndTheWholeTranscript() {
        String note = CallReport.note(call("agent hung up", "completed"), Optional.of(RECEPTIONIST));
        assertThat(note, containsString("Phone call with Ava, front desk at Bright Smile Dental on 20 Nov 2026 15:04 UTC, 1 min 5 s (call completed)"));
        assertThat(note, containsString("Summary: Dana wants a cleaning on Tuesday."));
        assertThat(note, containsString("Details:\n- name: Dana Reyes\n- reason: cleaning\n- zeta: extra\n"));
        assertThat(note, containsString("Transcript:\nAgent: Hello.\nCaller: I need a cleaning.\nAgent: Sure, when—\n"));
        assertThat(note, containsString("Call SID: CA" + "1".repeat(32)));
    }

    @Test
    void tagsAreThePersonasPlusTheOutcome() {
        assertThat(CallReport.tags(call("agent hung up", "completed"), Optional.of(RECEPTIONIST)),
                   contains("voice-agent", "dental", "call-completed"));
        assertThat(CallReport.outcome(call("caller hung up", "completed").call()), is("caller-hung-up"));
        assertThat(CallReport.outcome(call("socket closed (1006)", "completed").call()), is("caller-hung-up"));
        assertThat(CallReport.outcome(call("time limit", "completed").call()), is("call-time-limit"));
        assertThat(CallReport.outcome(call("server stopped", "abandoned").call()), is("call-dropped"));
        assertThat(CallReport.outcome(call("error", "completed").call()), is("call-ended"));
    }

    @Test
    void theWebhookRecordCarriesCallerPersonaTimesFactsSummaryAndTranscript() throws Exception {
        JsonNode record = new ObjectMapper().readTree(
                CallReport.webhookJson(call("agent hung up", "completed"), Optional.of(RECEPTIONIST), new ObjectMapper()));
        assertThat(record.get("callSid").asText(), is("CA" + "1".repeat(32)));
        assertThat(record.get("from").asText(), is("+15551230000"));
        assertThat(record.get("persona").asText(), is("receptionist"));
        assertThat(record.get("startedAt").asText(), is("2026-11-20T15:04:05Z"));
        assertThat(record.get("durationMs").asLong(), is(65_000L));
        assertThat(record.get("summary").asText(), is("Dana wants a cleaning on Tuesday."));
        assertThat(record.get("facts").get("name").asText(), is("Dana Reyes"));
        assertThat(record.get("transcript").get(1).get("role").asText(), is("caller"));
        assertThat(record.get("transcript").get(2).get("interrupted").asBoolean(), is(true));
        assertThat(record.get("outcome").asText(), is("call-completed"));
    }

    private static CallDetail call(String endReason, String status) {
        String sid = "CA" + "1".repeat(32);
        StoredCall call = new StoredCall(sid, "MZ" + "1".repeat(32), "+15551230000", "+15550100001", "receptionist", T0,
                                         Optional.of(T0.plusSeconds(65)), Optional.of(65_000L), Optional.of(endReason),
                                         status, Optional.of("Dana wants a cleaning on Tuesday."), Optional.empty());
        List<TurnRecord> turns = List.of(
                new TurnRecord(sid, 1, TurnRecord.Role.AGENT, "Hello.", T0, T0.plusSeconds(1), false, Map.of()),
                new TurnRecord(sid, 2, TurnRecord.Role.CALLER, "I need a cleaning.", T0.plusSeconds(2), T0.plusSeconds(3), false, Map.of()),
                new TurnRecord(sid, 3, TurnRecord.Role.AGENT, "Sure, when", T0.plusSeconds(4), T0.plusSeconds(5), true, Map.of("stt", 300L)));
        return new CallDetail(call, turns, Map.of("zeta", "extra", "reason", "cleaning", "name", "Dana Reyes"), List.of());
    }
}
