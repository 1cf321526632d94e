package dev.voiceagent.tools.builtin;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import dev.voiceagent.persona.Persona;
import dev.voiceagent.persona.PersonaFile;
import dev.voiceagent.persona.Personas;
import dev.voiceagent.tools.ToolContext;
import dev.voiceagent.tools.ToolFailure;
import dev.voiceagent.tools.ToolOutcome;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;

/**
 * The shipped dental receptionist ({@code config/personas.yaml}) loads with this server's built-ins as
 * {@code Main} registers them ({@link BuiltinMakers}): every tool it declares is made, and while its calendar id is
 * not in the environment the calendar tools tell the model so instead of calling GoHighLevel.
 */
class ShippedReceptionistToolsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Persona receptionist(Map<String, String> env) {
        Personas personas = PersonaFile.load(Path.of("config/personas.yaml"), ShippedTools.kit(env));
        return personas.defaultPersona();
    }

    @Test
    void theReceptionistCanCheckBookCancelTextTransferAndHangUp() {
        Persona persona = receptionist(Map.of("GHL_CALENDAR_ID", "cal0001"));
        assertThat(persona.id(), is("receptionist"));
        assertThat(persona.tools().specs().stream().map(s -> s.name()).toList(),
                   contains("check_availability", "book_appointment", "cancel_appointment", "transfer_call",
                            "send_sms", "end_call"));
        assertThat(persona.timeZone(), is(ZoneId.of("America/New_York")));
    }

    @Test
    void withoutItsCalendarIdTheCalendarToolsSaySoInsteadOfCallingGoHighLevel() throws Exception {
        Persona persona = receptionist(Map.of());
        ToolContext context = new ToolContext("CA0001", Optional.of("+15551230000"), Optional.of("+15550100001"),
                                              persona.id(), persona.timeZone());
        ToolOutcome outcome = persona.tools().byName("check_availability").orElseThrow()
                .run(JSON.createObjectNode(), context);
        assertThat(outcome, instanceOf(ToolOutcome.Failed.class));
        ToolOutcome.Failed failed = (ToolOutcome.Failed) outcome;
        assertThat(failed.reason(), is(ToolFailure.UNAVAILABLE));
        assertThat(failed.message(), containsString("GHL_CALENDAR_ID is not set"));
    }

    @Test
    void eachBuiltinIsGivenTimeForTheRequestsItMakes() {
        Persona persona = receptionist(Map.of("GHL_CALENDAR_ID", "cal0001"));
        BuiltinToolSettings d = BuiltinToolSettings.defaults();
        assertThat(persona.tools().byName("check_availability").orElseThrow().timeout(),
                   is(d.requestTimeout().plus(d.maxRateLimitWait())));
        assertThat(persona.tools().byName("book_appointment").orElseThrow().timeout(),
                   is(d.requestTimeout().multipliedBy(3).plus(d.maxRateLimitWait())));
    }
}
