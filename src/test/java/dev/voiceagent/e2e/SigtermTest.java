package dev.voiceagent.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeElevenLabs;
import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.fakes.FakeTwilioRest;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/** The real server process, sent SIGTERM mid-call: the call finishes, new calls are refused, then it exits. */
class SigtermTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void sigtermDrainsTheCallInProgressThenExits() throws Exception {
        Path personas = Files.createTempFile("personas", ".yaml");
        Files.writeString(personas, AgentHarness.DEFAULT_PERSONAS);
        int port = ServerProcess.freePort();
        try (FakeCloudflare cloudflare = new FakeCloudflare("cf-account", "cf-token");
             FakeElevenLabs elevenLabs = new FakeElevenLabs("el-key");
             FakeTwilioRest twilio = new FakeTwilioRest(AgentHarness.ACCOUNT_SID, AgentHarness.AUTH_TOKEN);
             ServerProcess server = ServerProcess.start(
                     AgentHarness.environment(port, cloudflare, elevenLabs, twilio, personas), port, WAIT)) {
            cloudflare.transcriber(call -> "Hello there.");
            try (FakeTwilioCaller caller = server.call(AgentHarness.newCallSid(), "+15557654321")) {
                assertThat(caller.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));

                server.process.destroy();   // SIGTERM
                AgentHarness.await(() -> server.status("/observe/health/ready") == 503, WAIT, "draining");
                assertThat(server.postVoice(AgentHarness.voiceForm(AgentHarness.newCallSid(), "+15550000000")).statusCode(),
                           is(503));

                caller.speak(clip("yes_thanks"));
                assertThat("the call in progress is still answered after SIGTERM",
                           caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
                assertThat(server.process.isAlive(), is(true));
                caller.stop();
            }
            assertThat("exits once the last call is over", server.process.waitFor(15, TimeUnit.SECONDS), is(true));
            String output = server.output();
            assertThat(output, containsString("shutting down: no new calls"));
            assertThat(output, containsString("\"msg\":\"shut down\""));
        } finally {
            Files.deleteIfExists(personas);
        }
    }
}
