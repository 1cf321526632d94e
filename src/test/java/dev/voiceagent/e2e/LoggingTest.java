package dev.voiceagent.e2e;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.Fault;
import dev.voiceagent.fakes.FakeElevenLabs;
import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.observe.JsonLogFormatter;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** Logs are JSON lines, call lines carry the call sid, and no credential ever appears, even in failures. */
class LoggingTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aCallWithVendorFailuresLogsJsonWithCallSidsAndNoSecrets() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        JsonLogFormatter formatter = new JsonLogFormatter();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(formatter.format(record));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try (AgentHarness h = AgentHarness.start()) {
            h.cloudflare.transcriber(call -> "Hello there.");
            h.elevenLabs.failAlways(FakeElevenLabs.TTS, Fault.status(401));
            FakeTwilioCaller caller = h.call();
            caller.awaitQuiet(Duration.ofMillis(700), Duration.ofSeconds(10));
            caller.speak(clip("yes_thanks"));
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), Duration.ofSeconds(10)), greaterThan(0L));
            caller.stop();
            AgentHarness.await(() -> h.activeCalls() == 0, Duration.ofSeconds(10), "call end");
        } finally {
            root.removeHandler(capture);
        }
        String all = String.join("", lines);
        for (String secret : List.of("cf-token", "el-key", AgentHarness.AUTH_TOKEN)) {
            assertThat(all, not(containsString(secret)));
        }
        assertThat(all, containsString("\"msg\":\"turn\""));
        int callLines = 0;
        for (String line : lines) {
            JsonNode node = json.readTree(line);
            if (node.get("logger").asText().equals("dev.voiceagent.call")) {
                callLines++;
                assertThat(line, node.path("callSid").asText().startsWith("CA"), is(true));
            }
        }
        assertThat(callLines, greaterThan(3));
    }
}
