package dev.voiceagent.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeTwilioCaller;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/**
 * The console in Debian's headless Chromium ({@code browser-tests/console.mjs}) against the real server: a wrong
 * key is refused, the right one signs in; while a phone call placed here (the Twilio emulator) runs, the live page
 * shows it and its transcript grows; after it ends the history lists it and its page shows the conversation and the
 * latency bars; the personas page offers a talk link; sign-out closes the console. It takes the README's
 * screenshots ({@code docs/screenshots/*.png}) on the way. The two sides follow each other through signal files.
 */
class ConsoleBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration QUIET = Duration.ofMillis(700);
    private static final String PERSONAS = AgentHarness.DEFAULT_PERSONAS
            .replace("    numbers: [\"+15550100001\"]", "    name: \"Ava, test line\"\n    numbers: [\"+15550100001\"]");

    @Test
    void anOperatorWatchesACallLiveThenReadsItInTheHistory() throws Exception {
        Path signals = Files.createTempDirectory("console-signals");
        try (AgentHarness h = AgentHarness.start(PERSONAS)) {
            CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> placeCall(h, signals));
            String printed = BrowserScript.run("console.mjs", Map.of(
                    "BASE_URL", "http://127.0.0.1:" + h.server.port(),
                    "ADMIN_KEY", AgentHarness.ADMIN_KEY,
                    "SIGNALS", signals.toString(),
                    "SCREENSHOTS", Path.of("docs/screenshots").toAbsolutePath().toString()), Duration.ofSeconds(60));
            assertThat(printed, containsString("console: OK"));
            String sid = call.get();
            assertThat(h.agent.store().call(sid).orElseThrow().call().status(), is("completed"));
            for (String shot : new String[] {"login", "live", "history", "call", "personas"}) {
                assertThat(shot, Files.size(Path.of("docs/screenshots", shot + ".png")), greaterThan(5_000L));
            }
        } finally {
            try (var files = Files.list(signals)) {
                files.forEach(f -> f.toFile().delete());
            }
            Files.deleteIfExists(signals);
        }
    }

    /** The phone side: a call once the operator is signed in, speech once the page shows it, hang-up after the shot. */
    private static String placeCall(AgentHarness h, Path signals) {
        try {
            awaitSignal(signals, "signed-in");
            h.cloudflare.queueTranscripts("I would like to book an appointment for next Tuesday.");
            h.cloudflare.queueReplies("Sure. What time works for you?");
            FakeTwilioCaller caller = h.call("+15557654321");
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
            awaitSignal(signals, "saw-call");
            caller.speak(clip("book_appointment"));
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
            awaitSignal(signals, "live-shot");
            caller.stop();
            return caller.callSid();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitSignal(Path signals, String name) {
        AgentHarness.await(() -> Files.exists(signals.resolve(name)), Duration.ofSeconds(40), "the browser's '" + name + "'");
    }
}
