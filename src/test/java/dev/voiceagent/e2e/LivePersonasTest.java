package dev.voiceagent.e2e;

import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeTwilioCaller;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/** Editing the personas file changes new calls within seconds; calls in progress keep theirs; bad edits are refused. */
class LivePersonasTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration QUIET = Duration.ofMillis(700);

    @Test
    void anEditReachesNewCallsWhileTheCallInProgressKeepsItsPersonaAndABadEditIsRefused() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            h.cloudflare.transcriber(call -> "Hello?");
            h.cloudflare.replier(call -> "Yes?");
            FakeTwilioCaller before = h.call();
            assertThat(before.awaitQuiet(QUIET, WAIT), is(true));

            edit(h, AgentHarness.DEFAULT_PERSONAS
                    .replace("Hello, how can I help?", "Good morning, edited line.")
                    .replace("You are a test agent.", "You are the edited agent."), 5);
            AgentHarness.await(() -> apiBody(h, "/personas/tester").contains("Good morning, edited line."), WAIT,
                               "the edit to be read");
            FakeTwilioCaller after = h.call();
            AgentHarness.await(() -> h.elevenLabs.ttsCalls().stream().anyMatch(t -> t.text().equals("Good morning, edited line.")),
                               WAIT, "the new greeting");
            assertThat(after.awaitQuiet(QUIET, WAIT), is(true));

            before.speak(clip("yes_thanks"));
            assertThat(before.awaitAudioAfter(before.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            assertThat("the call in progress keeps the persona it started with",
                       h.cloudflare.chatCalls().getLast().messages().getFirst().get("content"),
                       containsString("You are a test agent."));
            after.speak(clip("yes_thanks"));
            assertThat(after.awaitAudioAfter(after.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            assertThat(h.cloudflare.chatCalls().getLast().messages().getFirst().get("content"),
                       containsString("You are the edited agent."));

            edit(h, AgentHarness.DEFAULT_PERSONAS.replace("greeting: \"Hello, how can I help?\"", "greeting: \"\""), 10);
            AgentHarness.await(() -> apiBody(h, "/observe/health").contains("DEGRADED"), WAIT, "the bad edit reported");
            String health = apiBody(h, "/observe/health");
            assertThat(health, containsString("persona 'tester': greeting is required"));
            assertThat("the last good personas stay in force", apiBody(h, "/personas/tester"),
                       containsString("Good morning, edited line."));
            FakeTwilioCaller third = h.call();
            assertThat(third.awaitQuiet(QUIET, WAIT), is(true));
            assertThat(third.playedAudioBytes(), greaterThan(0L));
        }
    }

    private static void edit(AgentHarness h, String yaml, int secondsLater) throws Exception {
        Files.writeString(h.personasFile, yaml);
        // A later modification time than the last read, whatever the file system's time granularity.
        Files.setLastModifiedTime(h.personasFile, FileTime.from(Instant.now().plusSeconds(secondsLater)));
    }

    private static String apiBody(AgentHarness h, String path) {
        try {
            return h.api(path).body();
        } catch (Exception e) {
            return "";
        }
    }
}
