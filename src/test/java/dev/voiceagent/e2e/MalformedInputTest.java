package dev.voiceagent.e2e;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeTwilioCaller;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/** Bad frames are skipped or refused cleanly; the call, and every other call, carries on. */
class MalformedInputTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static AgentHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = AgentHarness.start(AgentHarness.DEFAULT_PERSONAS, Map.of(), Map.of("calls.startTimeoutMs", "1500"));
        h.cloudflare.transcriber(call -> "Hello there.");
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    @Test
    void occasionalBadOrUnknownFramesAreSkippedAndTheCallGoesOn() throws Exception {
        FakeTwilioCaller caller = h.call();
        assertThat(caller.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));
        caller.sendRaw("this is not json");
        caller.sendRaw("{\"event\":\"media\",\"streamSid\":\"" + caller.streamSid() + "\"}");
        caller.sendRaw("{\"event\":\"media\",\"streamSid\":\"" + caller.streamSid() + "\",\"media\":{\"payload\":\"%%%\"}}");
        caller.sendRaw("{\"event\":\"something-new\",\"streamSid\":\"" + caller.streamSid() + "\"}");
        caller.sendRaw("{\"event\":\"mark\",\"streamSid\":\"" + caller.streamSid() + "\",\"mark\":{\"name\":\"r999.end\"}}");
        caller.sendBinary(new byte[] {1, 2, 3});
        caller.speak(clip("yes_thanks"));
        assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
        assertThat(caller.isClosed(), is(false));
        caller.stop();
    }

    @Test
    void aStreamOfGarbageIsClosedWith1007WhileAnotherCallIsUnaffected() throws Exception {
        FakeTwilioCaller good = h.call();
        FakeTwilioCaller bad = h.call();
        assertThat(good.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));
        for (int i = 0; i < 10; i++) {
            bad.sendRaw("garbage " + i);
        }
        assertThat(bad.awaitClosed(WAIT), is(true));
        assertThat(bad.closeCode(), is(1007));
        good.speak(clip("yes_thanks"));
        assertThat(good.awaitAudioAfter(good.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
        assertThat(good.isClosed(), is(false));
        good.stop();
    }

    @Test
    void anOversizedMessageClosesOnlyThatCallWith1009() throws Exception {
        FakeTwilioCaller caller = h.call();
        caller.sendRaw("{\"event\":\"media\",\"pad\":\"" + "x".repeat(100_000) + "\"}");
        assertThat(caller.awaitClosed(WAIT), is(true));
        assertThat(caller.closeCode(), is(1009));
        AgentHarness.await(() -> h.activeCalls() == 0, WAIT, "the call to be finished");
    }

    @Test
    void aSocketThatNeverSendsStartIsClosed() throws Exception {
        FakeTwilioCaller caller = FakeTwilioCaller.connect(h.mediaUri(), Map.of("X-Twilio-Signature",
                new dev.voiceagent.twilio.TwilioSignature(AgentHarness.AUTH_TOKEN)
                        .sign("wss://agent.example.test/twilio/media", Map.of())));
        caller.sendRaw("{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}");
        assertThat(caller.awaitClosed(WAIT), is(true));
        assertThat(caller.closeCode(), is(1008));
    }
}
