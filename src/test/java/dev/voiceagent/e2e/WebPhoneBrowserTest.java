package dev.voiceagent.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/**
 * The web phone in headless Chromium (browser-tests/phone.mjs): the fake microphone plays a committed speech clip,
 * the page's AudioWorklet streams it as 8 kHz mu-law over the Media Streams protocol, the real server answers with
 * the local vendor fakes behind it, the page plays the agent and shows the transcript, then hangs up. The stored call
 * is checked here through the call API. Also runs the node unit tests of the page's audio and protocol code.
 */
class WebPhoneBrowserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CALLER = "I would like to book an appointment for next Tuesday.";
    private static final String ANSWER = "Sure, which time suits you on Tuesday?";

    @Test
    void aBrowserCallerIsGreetedHeardAnsweredAndStoredAsAWebCall() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            h.awaitWarm(4);
            // Only a turn about as long as the clip's speech (3.5 s) is transcribed: the microphone's audio must
            // have reached the server whole, at 8 kHz, through the page's downsampler.
            h.cloudflare.transcriber(call -> call.audioMillis() > 2_500 && call.audioMillis() < 6_000 ? CALLER : "");
            h.cloudflare.queueReplies(ANSWER);
            Path screenshot = Path.of("target/screenshots/phone.png").toAbsolutePath();
            Files.createDirectories(screenshot.getParent());

            String printed = BrowserScript.run("phone.mjs", Map.of(
                    "BASE_URL", "http://127.0.0.1:" + h.server.port(),
                    "ADMIN_KEY", AgentHarness.ADMIN_KEY,
                    "MIC_WAV", Path.of("src/test/resources/clips/web_phone_caller.wav").toAbsolutePath().toString(),
                    "PERSONA", "tester",
                    "EXPECT_GREETING", "Hello, how can I help?",
                    "EXPECT_CALLER", CALLER,
                    "EXPECT_ANSWER", ANSWER,
                    "SCREENSHOT", screenshot.toString()), Duration.ofSeconds(90));
            System.out.println(printed);

            Matcher sid = Pattern.compile("CALL_SID=(WC[0-9a-f]{32})").matcher(printed);
            assertThat(printed, sid.find(), is(true));
            assertThat(Files.size(screenshot), greaterThan(10_000L));

            h.awaitStoredCall(sid.group(1), d -> d.call().endedAt().isPresent(), "the web call to end");
            JsonNode call = JSON.readTree(h.api("/calls/" + sid.group(1)).body());
            assertThat(call.get("channel").asText(), is("web"));
            assertThat(call.get("from").asText(), is(""));
            assertThat(call.get("persona").asText(), is("tester"));
            assertThat(call.get("endReason").asText(), is(dev.voiceagent.call.EndReason.CALLER_HUNG_UP.text()));
            JsonNode turns = call.get("turns");
            assertThat(turns.get(0).get("text").asText(), is("Hello, how can I help?"));
            assertThat(turns.get(1).get("role").asText(), is("caller"));
            assertThat(turns.get(1).get("text").asText(), is(CALLER));
            assertThat(turns.get(2).get("text").asText(), is(ANSWER));
        }
    }

    @Test
    void thePagesAudioAndProtocolCodePassItsUnitTests() throws Exception {
        String printed = BrowserScript.run("unit/phone-audio.test.mjs", Map.of(), Duration.ofSeconds(60));
        assertThat(printed, printed.contains("# fail 0"), is(true));
    }
}
