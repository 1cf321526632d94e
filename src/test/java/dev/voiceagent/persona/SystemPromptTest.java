package dev.voiceagent.persona;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.voiceagent.store.PastCall;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

/** The system prompt: the persona's instructions, the phone rules, and what is known of a returning caller. */
class SystemPromptTest {

    private static final Persona RECEPTIONIST =
            PersonaFile.load(Path.of("config/personas.yaml")).byId("receptionist").orElseThrow();
    private static final ZonedDateTime NOW = ZonedDateTime.of(2026, 11, 22, 10, 0, 0, 0, ZoneOffset.UTC);

    @Test
    void aNewCallerIsAskedForTheFactsAndNothingIsAssumed() {
        String prompt = SystemPrompt.of(RECEPTIONIST, "+15551230000", NOW);
        assertThat(prompt, containsString("During the call, find out: the caller's full name; the reason for the call;"));
        assertThat(prompt, containsString("The caller's number is +15551230000."));
        assertThat(prompt, not(containsString("called before")));
    }

    @Test
    void aReturningCallersLastCallsAreInThePromptNewestFirst() {
        List<PastCall> history = List.of(
                new PastCall("CA2", Instant.parse("2026-11-20T09:00:00Z"), "Dana booked a cleaning for Tuesday.",
                             Map.of("name", "Dana Reyes", "preferred_time", "Tuesday 3 pm")),
                new PastCall("CA1", Instant.parse("2026-10-02T09:00:00Z"), "Dana asked about whitening prices.", Map.of()));
        String prompt = SystemPrompt.of(RECEPTIONIST, "+15551230000", NOW, history);
        assertThat(prompt, containsString("This caller has called before. Notes from their last calls, newest first:\n"
                                          + "- 20 November 2026: Dana booked a cleaning for Tuesday. (name: Dana Reyes; preferred_time: Tuesday 3 pm)\n"
                                          + "- 2 October 2026: Dana asked about whitening prices.\n"));
        assertThat(prompt, containsString("Never read these notes out."));
    }
}
