package dev.voiceagent.tools.builtin;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.voiceagent.crm.GoHighLevelClient;
import dev.voiceagent.tools.BuiltinTool;
import dev.voiceagent.tools.Tool;
import dev.voiceagent.tools.ToolFailure;
import dev.voiceagent.tools.ToolOutcome;
import dev.voiceagent.twilio.TwilioRestCalls;
import dev.voiceagent.twilio.WhisperTokens;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The factory builds each built-in from a persona's options; unconfigured vendors make tools that say so. */
class BuiltinToolFactoryTest {

    /** No credentials at all, as on a server without GoHighLevel or Twilio keys. */
    private final GoHighLevelClient ghl = new GoHighLevelClient(URI.create("http://127.0.0.1:9"), "", "",
                                                                Duration.ofSeconds(1), Duration.ofSeconds(2));
    private final TwilioRestCalls twilio = new TwilioRestCalls(URI.create("http://127.0.0.1:9"), "", "",
                                                               Duration.ofSeconds(1));
    private final BuiltinToolFactory factory = new BuiltinToolFactory(
            ghl, ghl, twilio, twilio, new WhisperTokens(new byte[32], Duration.ofMinutes(5), Clock.systemUTC()),
            Optional.of(URI.create("https://agent.example.com")), BuiltinToolSettings.defaults(), Fixture.CLOCK);

    @Test
    void eachBuiltinIsBuiltUnderItsWireName() {
        Map<BuiltinTool, Map<String, String>> declarations = Map.of(
                BuiltinTool.CHECK_AVAILABILITY, Map.of("calendarId", Fixture.CALENDAR),
                BuiltinTool.BOOK_APPOINTMENT, Map.of("calendarId", Fixture.CALENDAR),
                BuiltinTool.CANCEL_APPOINTMENT, Map.of(),
                BuiltinTool.TRANSFER_CALL, Map.of("to", "+15550109999", "mode", "warm"),
                BuiltinTool.SEND_SMS, Map.of());

        declarations.forEach((kind, options) -> {
            Tool tool = factory.create(kind, options);
            assertThat(tool.spec().name(), is(kind.wireName()));
            assertThat(tool.spec().parameters().path("type").asText(), is("object"));
        });
        assertThat(factory.create(BuiltinTool.TRANSFER_CALL, Map.of("to", "sip:desk@pbx.example.com")),
                   instanceOf(TransferCallTool.class));
    }

    @Test
    void endCallAndBadOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> factory.create(BuiltinTool.END_CALL, Map.of()));
        IllegalArgumentException noCalendar = assertThrows(IllegalArgumentException.class,
                () -> factory.create(BuiltinTool.BOOK_APPOINTMENT, Map.of()));
        assertThat(noCalendar.getMessage(), containsString("calendarId"));
        assertThrows(IllegalArgumentException.class,
                () -> factory.create(BuiltinTool.CHECK_AVAILABILITY, Map.of("calendarId", "../contacts")));
        assertThrows(IllegalArgumentException.class,
                () -> factory.create(BuiltinTool.TRANSFER_CALL, Map.of("to", "front desk")));
        assertThrows(IllegalArgumentException.class,
                () -> factory.create(BuiltinTool.TRANSFER_CALL, Map.of("to", "+15550109999", "mode", "lukewarm")));
    }

    @Test
    void withoutCredentialsTheToolsSayTheyAreNotSetUp() throws Exception {
        ToolOutcome slots = factory.create(BuiltinTool.CHECK_AVAILABILITY, Map.of("calendarId", Fixture.CALENDAR))
                .run(Fixture.args("{}"), Fixture.phoneCall());
        ToolOutcome text = factory.create(BuiltinTool.SEND_SMS, Map.of())
                .run(Fixture.JSON.createObjectNode().put("body", "hello"), Fixture.phoneCall());

        assertThat(((ToolOutcome.Failed) slots).reason(), is(ToolFailure.UNAVAILABLE));
        assertThat(((ToolOutcome.Failed) text).reason(), is(ToolFailure.UNAVAILABLE));
    }
}
