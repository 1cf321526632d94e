package dev.voiceagent.tts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeElevenLabs;
import dev.voiceagent.fakes.Fault;
import dev.voiceagent.persona.Persona;
import dev.voiceagent.persona.PersonaCatalog;
import dev.voiceagent.vendor.CloudflareAccount;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/**
 * The apology always plays: phrases are warmed at start, retried while a vendor is down, warmed again after a
 * personas edit, and cached under the voice that produced them (fallback audio is never the primary voice's).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PhraseWarmerTest {

    private static final Duration COOLDOWN = Duration.ofMillis(300);
    private static final String PERSONAS = """
            default: tester
            personas:
              - id: tester
                numbers: ["+15550100001"]
                voice: { id: voice-tester, model: eleven_flash_v2_5, fallback: asteria }
                greeting: "GREETING"
                reprompt: "Are you there?"
                goodbye: "Goodbye now."
                apology: "Sorry, say that again?"
                prompt: "You are a test agent."
            """;

    @TempDir
    Path dir;
    private FakeElevenLabs elevenLabs;
    private FakeCloudflare cloudflare;
    private PersonaCatalog catalog;
    private PhraseWarmer warmer;
    private VoiceRouter router;

    @BeforeEach
    void start() throws IOException {
        elevenLabs = new FakeElevenLabs("el-key");
        cloudflare = new FakeCloudflare("cf-account", "cf-token");
        elevenLabs.msPerChar(1);
        cloudflare.msPerChar(1);
        Path file = dir.resolve("personas.yaml");
        Files.writeString(file, PERSONAS.replace("GREETING", "Hello, how can I help?"));
        catalog = PersonaCatalog.open(file, Duration.ofMillis(50));
        router = new VoiceRouter(Optional.of(new ElevenLabsTts(elevenLabs.baseUri(), "el-key", Duration.ofSeconds(1))),
                                 new WorkersAiAuraTts(new CloudflareAccount(cloudflare.baseUri(), "cf-account", "cf-token"),
                                                      Duration.ofSeconds(1)),
                                 new PhraseCache(64, 100_000), COOLDOWN, 10, Duration.ofMillis(200), System::nanoTime,
                                 e -> { }, reason -> { });
    }

    @AfterEach
    void stop() {
        if (warmer != null) {
            warmer.close();
        }
        catalog.close();
        elevenLabs.close();
        cloudflare.close();
    }

    private Persona persona() {
        return catalog.current().defaultPersona();
    }

    private boolean warmInPrimary(String text) {
        return router.phrases().get(VoiceSource.primary(persona().voice()), text).isPresent();
    }

    @Test
    void everyPhraseIsWarmedInThePrimaryVoiceAtStart() {
        warmer = PhraseWarmer.start(catalog, router, true, Duration.ofMillis(100), Duration.ofMillis(400), 5);
        Persona p = persona();
        for (String phrase : List.of(p.greeting(), p.reprompt(), p.goodbye(), p.apology())) {
            await(() -> warmInPrimary(phrase), "warm: " + phrase);
        }
        assertThat("nothing from the fallback", cloudflare.auraCalls().size(), is(0));
    }

    @Test
    void withElevenLabsDownAtStartTheFallbackIsCachedAsTheFallbackAndWarmingIsRetried() {
        elevenLabs.failAlways(FakeElevenLabs.TTS, Fault.status(503));
        warmer = PhraseWarmer.start(catalog, router, true, Duration.ofMillis(200), Duration.ofMillis(400), 20);
        Persona p = persona();
        await(() -> router.phrases().get(VoiceSource.fallback(p.voice()), p.apology()).isPresent(),
              "the apology cached in the fallback voice");
        assertThat("not as the primary voice", warmInPrimary(p.apology()), is(false));
        await(() -> warmer.rounds() >= 2, "a second round");

        elevenLabs.clearFaults();
        await(() -> warmInPrimary(p.apology()) && warmInPrimary(p.greeting()), "warmed once ElevenLabs is back");
        assertThat(warmer.rounds(), greaterThan(1));
    }

    @Test
    void aCallThatSpeaksWithThePrimaryVoiceNeverGetsFallbackAudio() {
        Persona p = persona();
        byte[] fallbackAudio = new byte[800];
        router.phrases().put(VoiceSource.fallback(p.voice()), p.greeting(), fallbackAudio);
        CallVoice call = router.forCall();
        assertThat(call.primaryAvailable(p.voice()), is(true));
        assertThat(call.cachedPhrase(p.voice(), p.greeting()).isPresent(), is(false));

        // Spoken once by the primary, then cached under it.
        call.speakPhrase(p.voice(), p.greeting(), (b, off, len) -> true);
        assertThat(warmInPrimary(p.greeting()), is(true));
        assertThat(call.cachedPhrase(p.voice(), p.greeting()).orElseThrow().length,
                   is(elevenLabs.audioBytesFor(p.greeting())));
    }

    @Test
    void aCallOnTheFallbackGetsTheFallbackAudio() {
        Persona p = persona();
        byte[] fallbackAudio = new byte[800];
        router.phrases().put(VoiceSource.fallback(p.voice()), p.apology(), fallbackAudio);
        CallVoice call = router.forCall();
        elevenLabs.failNext(FakeElevenLabs.TTS, Fault.status(429)); // this call's primary is off for its cooldown
        call.speak(SpeechRequest.of("Hi.", p.voice()), (b, off, len) -> true);
        assertThat(call.primaryAvailable(p.voice()), is(false));
        assertThat(call.cachedPhrase(p.voice(), p.apology()).orElseThrow(), is(fallbackAudio));
    }

    @Test
    void aPersonasEditIsWarmed() throws IOException {
        warmer = PhraseWarmer.start(catalog, router, true, Duration.ofMillis(100), Duration.ofMillis(400), 5);
        await(() -> warmInPrimary("Hello, how can I help?"), "first greeting");

        Path file = catalog.file();
        Files.writeString(file, PERSONAS.replace("GREETING", "Thanks for calling the new line."));
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        await(() -> persona().greeting().equals("Thanks for calling the new line."), "edit picked up");
        await(() -> warmInPrimary("Thanks for calling the new line."), "the edited greeting warmed");
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
