package dev.voiceagent.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeTwilioCaller;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/** Fifty callers at once each hold a normal conversation; every call runs on its own threads. */
class ConcurrentCallsTest {

    private static final int CALLS = 50;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void fiftyConcurrentCallsAreEachGreetedHeardAndAnswered() throws Exception {
        try (AgentHarness h = AgentHarness.start();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            h.awaitWarm(4);
            h.cloudflare.transcriber(call -> "Caller speaking for " + call.audioMillis() + " ms.");
            h.cloudflare.replier(call -> "Thanks, I heard you.");
            byte[] speech = clip("book_appointment");
            List<Future<FakeTwilioCaller>> calls = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                calls.add(pool.submit(() -> {
                    FakeTwilioCaller caller = h.call();
                    if (!caller.awaitQuiet(Duration.ofMillis(700), WAIT)) {
                        throw new AssertionError("no greeting");
                    }
                    caller.speak(speech);
                    if (caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT) <= 0) {
                        throw new AssertionError("no answer");
                    }
                    caller.awaitQuiet(Duration.ofMillis(700), WAIT);
                    return caller;
                }));
            }
            for (Future<FakeTwilioCaller> call : calls) {
                FakeTwilioCaller caller = call.get();
                assertThat(caller.protocolErrors(), is(empty()));
                assertThat(caller.playedAudioBytes(), greaterThan(0L));
                caller.stop();
            }
            assertThat(h.cloudflare.whisperCalls().size(), is(CALLS));
            assertThat(h.cloudflare.chatCalls().size(), is(CALLS));
            AgentHarness.await(() -> h.activeCalls() == 0, WAIT, "all calls to finish");
        }
    }
}
