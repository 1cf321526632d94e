package dev.voiceagent.persona;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** Edits to the personas file take effect without a restart; invalid edits keep the last good personas. */
class PersonaCatalogTest {

    @TempDir
    Path dir;

    @Test
    void aValidEditReplacesThePersonasAndAnInvalidOneIsReportedAndIgnored() throws IOException {
        Path file = dir.resolve("personas.yaml");
        Files.writeString(file, persona("Hello one."));
        try (PersonaCatalog catalog = PersonaCatalog.open(file, Duration.ZERO)) {
            Persona before = catalog.current().defaultPersona();

            rewrite(file, persona("Hello two."), 1);
            catalog.reloadIfChanged();
            assertThat(catalog.current().defaultPersona().greeting(), is("Hello two."));
            assertThat(before.greeting(), is("Hello one."));   // a call in progress keeps its persona

            rewrite(file, "personas: [", 2);
            catalog.reloadIfChanged();
            assertThat(catalog.current().defaultPersona().greeting(), is("Hello two."));
            assertThat(catalog.lastError().orElseThrow(), containsString("not valid YAML"));

            rewrite(file, persona("Hello three."), 3);
            catalog.reloadIfChanged();
            assertThat(catalog.current().defaultPersona().greeting(), is("Hello three."));
            assertThat(catalog.lastError().isPresent(), is(false));
        }
    }

    private static void rewrite(Path file, String yaml, int secondsLater) throws IOException {
        Files.writeString(file, yaml);
        // File systems with coarse timestamps would otherwise hide a quick second edit.
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(secondsLater)));
    }

    private static String persona(String greeting) {
        return "personas:\n  - id: a\n    voice: { id: v }\n    prompt: P\n    greeting: " + greeting + "\n";
    }
}
