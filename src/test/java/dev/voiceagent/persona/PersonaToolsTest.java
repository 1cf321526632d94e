package dev.voiceagent.persona;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.voiceagent.tools.BuiltinTool;
import dev.voiceagent.tools.BuiltinTools;
import dev.voiceagent.tools.Tool;
import dev.voiceagent.tools.ToolContext;
import dev.voiceagent.tools.ToolKit;
import dev.voiceagent.tools.ToolOutcome;
import dev.voiceagent.tools.ToolSet;
import dev.voiceagent.tools.ToolSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A persona's {@code tools:}: built-ins and webhook tools read with their YAML types, and every mistake named —
 * unknown or unavailable built-ins, bad options, bad schemas, duplicate names, environment variables not set — so a
 * broken edit is rejected while the last good personas stay in force.
 */
class PersonaToolsTest {

    private static final Map<String, String> ENV = Map.of("ORDER_TOOL_SECRET", "s3cret-value", "ORDER_API_KEY", "key-123");

    @TempDir
    Path dir;

    @Test
    void aPersonaWithoutToolsHasNone() throws IOException {
        Persona p = load(kit(BuiltinTools.endCallOnly()), "");
        assertThat(p.tools().isEmpty(), is(true));
        assertThat(p.tools().filler(), is(ToolSet.DEFAULT_FILLER));
    }

    @Test
    void webhookAndBuiltinToolsAreBuiltWithTheirSchemaTypesKept() throws IOException {
        Persona p = load(kit(BuiltinTools.endCallOnly()), """
                    tools:
                      - builtin: end_call
                      - name: order_status
                        description: "Looks up an order by its number"
                        parameters: { type: object, properties: { order: { type: string }, count: { type: integer, minimum: 1 }, rush: { type: boolean, default: false } }, required: [order] }
                        url: https://example.com/tools/order-status
                        timeoutMs: 3000
                        headers: { X-Api-Key: { env: ORDER_API_KEY }, X-Shop: main }
                        secretEnv: ORDER_TOOL_SECRET
                    toolPhrases: { filler: "Hang on a second.", transfer: "Connecting you now." }
                """);
        assertThat(p.tools().names(), is(List.of("end_call", "order_status")));
        Tool order = p.tools().byName("order_status").orElseThrow();
        JsonNode schema = order.spec().parameters();
        assertThat(schema.path("properties").path("count").path("minimum").isInt(), is(true));
        assertThat(schema.path("properties").path("rush").path("default").isBoolean(), is(true));
        assertThat(schema.path("required").get(0).asText(), is("order"));
        assertThat(order.timeout(), is(Duration.ofMillis(3000)));
        assertThat(p.tools().filler(), is("Hang on a second."));
        assertThat(p.tools().transferLine(), is("Connecting you now."));
    }

    @Test
    void aBuiltinThisServerCannotMakeIsNotAvailable() throws IOException {
        String message = rejected(kit(BuiltinTools.endCallOnly()), """
                    tools:
                      - builtin: send_sms
                """);
        assertThat(message, containsString("persona 'a': tool send_sms is not available on this server"));
    }

    @Test
    void aRegisteredBuiltinIsMadeWithItsOptions() throws IOException {
        Tool[] made = new Tool[1];
        BuiltinTools builtins = BuiltinTools.of(Map.of(BuiltinTool.TRANSFER_CALL, options -> {
            made[0] = new Named("transfer_call");
            assertThat(options, is(Map.of("to", "+15550109999", "mode", "warm")));
            return made[0];
        }));
        Persona p = load(kit(builtins), """
                    tools:
                      - builtin: transfer_call
                        to: "+15550109999"
                        mode: warm
                """);
        assertThat(p.tools().byName("transfer_call").orElseThrow(), is(made[0]));
    }

    @Test
    void aMakerThatRefusesSaysWhy() throws IOException {
        BuiltinTools builtins = BuiltinTools.of(Map.of(BuiltinTool.SEND_SMS, options -> {
            throw new IllegalStateException("needs TWILIO_ACCOUNT_SID");
        }));
        assertThat(rejected(kit(builtins), """
                    tools:
                      - builtin: send_sms
                """), containsString("persona 'a': tool send_sms: needs TWILIO_ACCOUNT_SID"));
    }

    @Test
    void everyToolProblemIsNamed() throws IOException {
        String message = rejected(kit(BuiltinTools.endCallOnly()), """
                    tools:
                      - builtin: teleport
                      - builtin: transfer_call
                        to: "555-0199"
                        mode: lukewarm
                      - builtin: check_availability
                      - name: order_status
                        description: "Looks up an order"
                        parameters: { type: string }
                        url: ftp://example.com/x
                        secretEnv: MISSING_SECRET
                      - name: lookup
                        description: "x"
                        parameters: { type: object, properties: { a: { type: string } }, required: [b] }
                        url: https://example.com/y
                        headers: { X-Key: { env: NOT_SET_KEY } }
                        timeoutMs: 99999
                        method: GET
                      - name: dup
                        description: "d"
                        parameters: { type: object }
                        url: https://example.com/z
                      - name: dup
                        description: "d"
                        parameters: { type: object }
                        url: https://example.com/z
                      - name: no description
                        url: https://example.com/z
                """);
        assertThat(message, allOf(
                containsString("persona 'a': tools[0]: unknown built-in tool 'teleport' (known: check_availability,"),
                containsString("transfer_call to: '555-0199' is neither an E.164 number"),
                containsString("transfer_call mode: 'lukewarm' must be cold or warm"),
                containsString("check_availability needs calendarId"),
                containsString("tool order_status: parameters must have type: object (got 'string')"),
                containsString("tool order_status: url must be an absolute http(s) URL"),
                containsString("tool order_status: secretEnv MISSING_SECRET is not set"),
                containsString("tool lookup: parameters required names 'b', which is not in properties"),
                containsString("tool lookup: header X-Key needs NOT_SET_KEY, which is not set"),
                containsString("tool lookup: timeoutMs must be a number from 100 to 30000"),
                containsString("tool lookup: method must be POST, PUT or PATCH (got 'GET')"),
                containsString("persona 'a': tool dup is declared twice"),
                containsString("tools[7].name must be 1 to 64 letters")));
    }

    @Test
    void aSecretsValueNeverAppearsInAnError() throws IOException {
        String message = rejected(kit(BuiltinTools.endCallOnly()), """
                    tools:
                      - name: order_status
                        description: "x"
                        parameters: { type: object }
                        url: https://example.com/x
                        headers: { Content-Type: { env: ORDER_API_KEY } }
                        secretEnv: ORDER_TOOL_SECRET
                """);
        assertThat(message, containsString("header Content-Type cannot be set"));
        assertThat(message, not(containsString("key-123")));
        assertThat(message, not(containsString("s3cret-value")));
    }

    @Test
    void aWebhookToolMayNotTakeABuiltinsName() throws IOException {
        assertThat(rejected(kit(BuiltinTools.endCallOnly()), """
                    tools:
                      - name: end_call
                        description: "x"
                        parameters: { type: object }
                        url: https://example.com/x
                """), containsString("tool end_call has a built-in's name; declare it as '- builtin: end_call'"));
    }

    @Test
    void aRejectedToolsEditKeepsTheLastGoodPersonas() throws Exception {
        Path file = write("""
                    tools:
                      - builtin: end_call
                """);
        try (PersonaCatalog catalog = PersonaCatalog.open(file, Duration.ZERO, kit(BuiltinTools.endCallOnly()))) {
            Files.writeString(file, Files.readString(file).replace("end_call", "send_sms") + "\n");
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
            catalog.reloadIfChanged();
            assertThat(catalog.current().byId("a").orElseThrow().tools().names(), is(List.of("end_call")));
            assertThat(catalog.lastError().orElseThrow(), containsString("tool send_sms is not available on this server"));
        }
    }

    private static ToolKit kit(BuiltinTools builtins) {
        return new ToolKit(builtins, name -> Optional.ofNullable(ENV.get(name)), Clock.systemUTC());
    }

    private Persona load(ToolKit kit, String keys) throws IOException {
        return PersonaFile.load(write(keys), kit).byId("a").orElseThrow();
    }

    private String rejected(ToolKit kit, String keys) throws IOException {
        Path file = write(keys);
        return assertThrows(PersonaConfigException.class, () -> PersonaFile.load(file, kit)).getMessage();
    }

    private Path write(String keys) throws IOException {
        Path file = dir.resolve("personas.yaml");
        Files.writeString(file, """
                personas:
                  - id: a
                    prompt: Be A.
                    greeting: Hello from A.
                    voice: { id: v1 }
                """ + keys);
        return file;
    }

    /** A built-in stand-in that only has a name. */
    private record Named(String name) implements Tool {
        @Override
        public ToolSpec spec() {
            return new ToolSpec(name, "stand-in", new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("type", "object"));
        }

        @Override
        public ToolOutcome run(JsonNode arguments, ToolContext context) {
            return new ToolOutcome.Failed(dev.voiceagent.tools.ToolFailure.UNAVAILABLE, "stand-in");
        }
    }
}
