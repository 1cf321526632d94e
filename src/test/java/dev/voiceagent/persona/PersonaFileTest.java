package dev.voiceagent.persona;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The personas file is read with defaults, routed by dialed number, and rejected with precise errors. */
class PersonaFileTest {

    @TempDir
    Path dir;

    /** Checked with this server's built-in tools, which the receptionist uses: ShippedReceptionistToolsTest. */
    @Test
    void theShippedExamplePersonasAreValid() {
        Personas personas = PersonaFile.load(Path.of("config/personas.yaml"), dev.voiceagent.tools.builtin.ShippedTools.kit());
        assertThat(personas.all().size(), is(2));
        assertThat(personas.defaultPersona().id(), is("receptionist"));
        assertThat(personas.forNumber("+15550100002").id(), is("plumber"));
    }

    @Test
    void routesByDialedNumberAndFallsBackToTheDefault() throws IOException {
        Personas personas = PersonaFile.load(write("""
                default: b
                personas:
                  - id: a
                    numbers: ["+1 (555) 010-0001"]
                    voice: { id: v1 }
                    prompt: Be A.
                    greeting: Hello from A.
                  - id: b
                    voice: { id: v2 }
                    prompt: Be B.
                    greeting: Hello from B.
                """));
        assertThat(personas.forNumber("+15550100001").id(), is("a"));
        assertThat(personas.forNumber("+19999999999").id(), is("b"));
        assertThat(personas.forNumber(null).id(), is("b"));
        Persona a = personas.byId("a").orElseThrow();
        assertThat(a.turnTaking().endOfTurn(), is(Duration.ofMillis(600)));
        assertThat(a.voice().modelId(), is("eleven_flash_v2_5"));
        assertThat(a.llmModel(), is("@cf/meta/llama-3.3-70b-instruct-fp8-fast"));
    }

    @Test
    void everyProblemIsNamedWithItsPersonaAndKey() throws IOException {
        Path file = write("""
                default: nobody
                personas:
                  - id: a
                    voice: { stability: 3 }
                    greeting: Hi.
                    turnTaking: { endOfTurnMs: fast }
                  - id: a
                    voice: { id: v }
                    prompt: P
                """);
        PersonaConfigException e = assertThrows(PersonaConfigException.class, () -> PersonaFile.load(file));
        assertThat(e.getMessage(), allOf(
                containsString(file.toString()),
                containsString("persona 'a': voice.id is required"),
                containsString("persona 'a': voice.stability must be between 0 and 1 (got 3)"),
                containsString("persona 'a': turnTaking.endOfTurnMs must be a number"),
                containsString("persona 'a': prompt is required"),
                containsString("persona 'a' is defined twice"),
                containsString("persona 'a': greeting is required"),
                containsString("'default' names persona 'nobody'")));
    }

    @Test
    void brokenYamlAndMissingFilesAreReportedClearly() throws IOException {
        Path broken = write("personas:\n  - id: a\n    greeting: [unclosed\n");
        assertThat(assertThrows(PersonaConfigException.class, () -> PersonaFile.load(broken)).getMessage(),
                   containsString("not valid YAML"));
        Path missing = dir.resolve("nope.yaml");
        assertThat(assertThrows(PersonaConfigException.class, () -> PersonaFile.load(missing)).getMessage(),
                   containsString("not found"));
    }

    @Test
    void factsToCollectHaveKeysGivenOrMadeFromTheirWords() throws IOException {
        Persona p = PersonaFile.load(write("""
                personas:
                  - id: a
                    voice: { id: v1 }
                    prompt: Be A.
                    greeting: Hello.
                    returningGreeting: "Hi {name}."
                    collect:
                      - name: the caller's full name
                      - the preferred time
                """)).byId("a").orElseThrow();
        assertThat(p.collect(), is(java.util.List.of(new FactSpec("name", "the caller's full name"),
                                                      new FactSpec("preferred_time", "the preferred time"))));
        assertThat(p.returningGreeting(), is("Hi {name}."));
    }

    @Test
    void badFactKeysAreRejectedByName() throws IOException {
        Path file = write("""
                personas:
                  - id: a
                    voice: { id: v1 }
                    prompt: Be A.
                    greeting: Hello.
                    collect:
                      - Full Name: the caller's full name
                      - name: one
                      - name: two
                """);
        String message = assertThrows(PersonaConfigException.class, () -> PersonaFile.load(file)).getMessage();
        assertThat(message, allOf(containsString("persona 'a': collect[0]: fact key must be lower_snake_case"),
                                  containsString("collect has the key 'name' twice")));
    }

    @Test
    void callerDataSettingsHaveSafeDefaults() throws IOException {
        Persona p = PersonaFile.load(write("""
                personas:
                  - id: a
                    voice: { id: v1 }
                    prompt: Be A.
                    greeting: Hello.
                """)).byId("a").orElseThrow();
        assertThat(p.memory(), is(CallerMemory.FULL));
        assertThat(p.timeZone(), is(java.time.ZoneId.of("UTC")));
        assertThat(p.digits(), is(DigitPolicy.MASKED));
    }

    @Test
    void callerDataSettingsAreRead() throws IOException {
        Persona p = PersonaFile.load(write("""
                personas:
                  - id: a
                    voice: { id: v1 }
                    prompt: Be A.
                    greeting: Hello.
                    memory: greet
                    timezone: America/New_York
                    digits: stored
                """)).byId("a").orElseThrow();
        assertThat(p.memory(), is(CallerMemory.GREET));
        assertThat(p.timeZone(), is(java.time.ZoneId.of("America/New_York")));
        assertThat(p.digits(), is(DigitPolicy.STORED));
    }

    @Test
    void badCallerDataSettingsAreNamedLikeEveryOtherProblem() throws IOException {
        Path file = write("""
                personas:
                  - id: a
                    voice: { id: v1 }
                    prompt: Be A.
                    greeting: Hello.
                    memory: everything
                    timezone: Mars/Olympus_Mons
                    digits: shown
                  - id: b
                    voice: { id: v2 }
                    prompt: Be B.
                    greeting: Hello.
                    timezone: "+02:00"
                """);
        PersonaConfigException e = assertThrows(PersonaConfigException.class, () -> PersonaFile.load(file));
        assertThat(e.getMessage(), allOf(
                containsString("persona 'a': memory must be full, greet or off (got 'everything')"),
                containsString("persona 'a': timezone must be an IANA time zone id such as America/New_York or UTC "
                               + "(got 'Mars/Olympus_Mons')"),
                containsString("persona 'a': digits must be masked or stored (got 'shown')"),
                containsString("persona 'b': timezone must be an IANA time zone id")));
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("personas-" + System.nanoTime() + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
