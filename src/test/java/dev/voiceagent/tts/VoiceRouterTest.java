package dev.voiceagent.tts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeElevenLabs;
import dev.voiceagent.fakes.Fault;
import dev.voiceagent.vendor.CloudflareAccount;
import dev.voiceagent.vendor.VendorException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/**
 * Per-call TTS failover over real sockets: a call's own trouble (429, a bad voice id) moves only that call to the
 * fallback voice; ElevenLabs failing as a whole (5xx) opens the shared breaker for every call; the bulkhead keeps
 * concurrent ElevenLabs requests within the plan's limit.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VoiceRouterTest {

    private static final Duration TIMEOUT = Duration.ofMillis(1500);
    private static final Duration COOLDOWN = Duration.ofMillis(600);
    private static final Voice AVA = new Voice("voice-ava", "eleven_flash_v2_5", 0.5, 0.75, 0, 1, "asteria");
    private static final Voice BOB = new Voice("voice-bob", "eleven_flash_v2_5", 0.5, 0.75, 0, 1, "orion");

    private FakeElevenLabs elevenLabs;
    private FakeCloudflare cloudflare;
    private final List<VendorException> failures = new CopyOnWriteArrayList<>();
    private final List<FallbackReason> fallbacks = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        elevenLabs = new FakeElevenLabs("el-key");
        cloudflare = new FakeCloudflare("cf-account", "cf-token");
        elevenLabs.msPerChar(1);
        cloudflare.msPerChar(1);
    }

    @AfterEach
    void stop() {
        elevenLabs.close();
        cloudflare.close();
    }

    private VoiceRouter router(int maxConcurrent, Duration permitWait) {
        return new VoiceRouter(Optional.of(new ElevenLabsTts(elevenLabs.baseUri(), "el-key", TIMEOUT)),
                               new WorkersAiAuraTts(new CloudflareAccount(cloudflare.baseUri(), "cf-account", "cf-token"),
                                                    TIMEOUT),
                               new PhraseCache(64, 100_000), COOLDOWN, maxConcurrent, permitWait, System::nanoTime,
                               failures::add, fallbacks::add);
    }

    private static VoiceSource say(CallVoice call, Voice voice, String text) {
        return call.speak(SpeechRequest.of(text, voice), (b, off, len) -> true);
    }

    @Test
    void a429OnOneCallMovesOnlyThatCallToTheFallbackVoice() {
        VoiceRouter router = router(10, Duration.ofMillis(200));
        CallVoice first = router.forCall();
        CallVoice second = router.forCall();

        elevenLabs.failNext(FakeElevenLabs.TTS, Fault.status(429));
        assertThat(say(first, AVA, "Hello there."), is(VoiceSource.fallback(AVA)));
        assertThat("the other call keeps its voice", say(second, AVA, "Hi."), is(VoiceSource.primary(AVA)));

        int elevenLabsRequests = elevenLabs.requestCount(FakeElevenLabs.TTS);
        assertThat("the first call stays on the fallback for its cooldown", say(first, AVA, "How are you?"),
                   is(VoiceSource.fallback(AVA)));
        assertThat(elevenLabs.requestCount(FakeElevenLabs.TTS), is(elevenLabsRequests));
        assertThat(say(second, AVA, "Fine."), is(VoiceSource.primary(AVA)));
        assertThat("a 429 is not the vendor failing", router.breakerOpen(), is(false));
        assertThat(failures.getFirst().kind(), is(VendorException.Kind.RATE_LIMITED));
        assertThat(fallbacks, is(List.of(FallbackReason.PRIMARY_FAILED, FallbackReason.CALL_FAILOVER)));
    }

    @Test
    void aCallGoesBackToThePrimaryVoiceAfterItsCooldown() throws Exception {
        VoiceRouter router = router(10, Duration.ofMillis(200));
        CallVoice call = router.forCall();
        elevenLabs.failNext(FakeElevenLabs.TTS, Fault.status(429));
        assertThat(say(call, AVA, "Hello there."), is(VoiceSource.fallback(AVA)));
        Thread.sleep(COOLDOWN.toMillis() + 100);
        assertThat(say(call, AVA, "Hello again."), is(VoiceSource.primary(AVA)));
    }

    @Test
    void aBadVoiceIdMovesOnlyThatVoiceOfThatCall() {
        VoiceRouter router = router(10, Duration.ofMillis(200));
        CallVoice call = router.forCall();
        CallVoice other = router.forCall();

        elevenLabs.failNext(FakeElevenLabs.TTS, Fault.status(404));
        assertThat(say(call, AVA, "Hello there."), is(VoiceSource.fallback(AVA)));
        assertThat("another voice of the same call", say(call, BOB, "Hi."), is(VoiceSource.primary(BOB)));
        assertThat("the same voice on another call", say(other, AVA, "Hi."), is(VoiceSource.primary(AVA)));
        assertThat(say(call, AVA, "Still me."), is(VoiceSource.fallback(AVA)));
        Voice unusable = new Voice("not a voice id!", "eleven_flash_v2_5", 0.5, 0.75, 0, 1, "luna");
        assertThat("an id ElevenLabs could never accept", say(call, unusable, "Hello."), is(VoiceSource.fallback(unusable)));
    }

    @Test
    void serverErrorsOpenTheBreakerForEveryCallUntilElevenLabsAnswersAgain() throws Exception {
        VoiceRouter router = router(10, Duration.ofMillis(200));
        elevenLabs.failAlways(FakeElevenLabs.TTS, Fault.status(503));
        for (int i = 0; i < VoiceRouter.BREAKER_VOLUME; i++) {
            assertThat(say(router.forCall(), AVA, "Sentence " + i + "."), is(VoiceSource.fallback(AVA)));
        }
        assertThat(router.breakerOpen(), is(true));
        int elevenLabsRequests = elevenLabs.requestCount(FakeElevenLabs.TTS);
        CallVoice fresh = router.forCall();
        assertThat("a call that never saw an error", fresh.primaryAvailable(AVA), is(false));
        assertThat(say(fresh, AVA, "Hello."), is(VoiceSource.fallback(AVA)));
        assertThat("no request while open", elevenLabs.requestCount(FakeElevenLabs.TTS), is(elevenLabsRequests));
        assertThat(fallbacks.getLast(), is(FallbackReason.BREAKER_OPEN));

        elevenLabs.clearFaults();
        Thread.sleep(COOLDOWN.toMillis() + 200);
        assertThat("half-open: one request tries again", say(fresh, AVA, "Back?"), is(VoiceSource.primary(AVA)));
        assertThat(router.breakerOpen(), is(false));
        assertThat(say(router.forCall(), AVA, "Yes."), is(VoiceSource.primary(AVA)));
    }

    @Test
    void theBulkheadKeepsConcurrentElevenLabsRequestsWithinTheLimit() throws Exception {
        VoiceRouter router = router(2, Duration.ofMillis(100));
        elevenLabs.firstByteLatency(Duration.ofMillis(700));
        int calls = 5;
        CountDownLatch go = new CountDownLatch(1);
        List<VoiceSource> sources = new CopyOnWriteArrayList<>();
        List<Integer> inFlight = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            CallVoice call = router.forCall();
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                    sources.add(call.speak(SpeechRequest.of("Hello there.", AVA), (b, off, len) -> {
                        inFlight.add(router.primaryInFlight());
                        return true;
                    }));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(10));
        }
        assertThat(sources.size(), is(calls));
        assertThat(sources.stream().filter(VoiceSource.primary(AVA)::equals).count(), is(2L));
        assertThat(sources.stream().filter(VoiceSource.fallback(AVA)::equals).count(), is(3L));
        assertThat(elevenLabs.requestCount(FakeElevenLabs.TTS), is(2));
        assertThat(router.bulkheadRejections(), is(3L));
        assertThat(fallbacks, is(List.of(FallbackReason.BULKHEAD_FULL, FallbackReason.BULKHEAD_FULL,
                                         FallbackReason.BULKHEAD_FULL)));
        assertThat(inFlight.stream().mapToInt(Integer::intValue).max().orElse(0), lessThanOrEqualTo(2));
        assertThat("permits returned", router.primaryInFlight(), is(0));
        assertThat("being busy is not the vendor failing", router.breakerOpen(), is(false));
    }
}
