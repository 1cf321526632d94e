package dev.voiceagent.persona;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import dev.voiceagent.tools.ToolKit;

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

    @Test
    void theWatcherDoesNotReadAFileHalfWayThroughBeingWritten() throws Exception {
        Path file = dir.resolve("personas.yaml");
        Files.writeString(file, persona("Hello one."));
        List<String> rejected = new CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger(PersonaCatalog.class.getName());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel() == Level.SEVERE) {
                    rejected.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(handler);
        try (PersonaCatalog catalog = PersonaCatalog.open(file, Duration.ofMillis(20), Duration.ofSeconds(1),
                                                          ToolKit.standard())) {
            String edit = persona("Hello two.");
            // An editor writing in place: the first half (not valid YAML on its own) stands for 100 ms, several polls.
            Files.writeString(file, edit.substring(0, edit.length() / 2));
            Thread.sleep(100);
            Files.writeString(file, edit);

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!"Hello two.".equals(catalog.current().defaultPersona().greeting())
                   && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(catalog.current().defaultPersona().greeting(), is("Hello two."));
            assertThat("no rejection of the half-written file", rejected, is(List.of()));
            assertThat(catalog.lastError().isPresent(), is(false));
        } finally {
            log.removeHandler(handler);
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
