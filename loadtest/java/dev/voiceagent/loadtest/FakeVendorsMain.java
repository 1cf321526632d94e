package dev.voiceagent.loadtest;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeElevenLabs;
import dev.voiceagent.fakes.FakeGoHighLevel;
import dev.voiceagent.fakes.FakeTwilioRest;
import dev.voiceagent.fakes.FakeVendorServer;

/**
 * Every outside vendor of the voice agent as a local fake, for load tests that must spend no API credit: Workers AI
 * (Whisper and the streamed chat model), ElevenLabs streaming TTS, Twilio REST and GoHighLevel, each on a fixed
 * loopback port with a configurable latency. Requests are counted, not recorded, so memory stays flat however long
 * the run.
 *
 * <p>Prints the server's environment as {@code NAME=value} lines, then {@code fakes ready}; runs until killed or
 * {@code FAKES_MAX_SECONDS}, and prints the request counts when it stops.
 *
 * <p>Environment (defaults in brackets): {@code FAKES_BASE_PORT} [18090] (Cloudflare +1, ElevenLabs +2, Twilio +3,
 * GoHighLevel +4), {@code STT_MS} [350], {@code LLM_FIRST_TOKEN_MS} [300], {@code LLM_TOKEN_MS} [20] between
 * streamed words, {@code TTS_FIRST_BYTE_MS} [200], {@code TTS_CHUNK_MS} [0] between 100 ms audio chunks,
 * {@code GHL_MS} [100], {@code TRANSCRIPT}, {@code REPLY}, {@code FAKES_MAX_SECONDS} [3600], {@code LOAD_STT_MODEL}
 * [a Whisper model: the server is given the Cloudflare fake's plain HTTP port; any other model is live transcription,
 * which needs the WebSocket front door, so the server is given that].
 */
public final class FakeVendorsMain {

    /** Credentials the fakes accept and the server is given; test values, never real ones. */
    public static final String CF_ACCOUNT = "cf-load-account";
    public static final String CF_TOKEN = "cf-load-token";
    public static final String ELEVENLABS_KEY = "el-load-key";
    public static final String TWILIO_ACCOUNT_SID = "AC00000000000000000000000000000042";
    public static final String TWILIO_AUTH_TOKEN = "twilio-load-auth-token";
    public static final String GHL_TOKEN = "ghl-load-token";
    public static final String GHL_LOCATION = "loadLocation00000001";

    static final String DEFAULT_TRANSCRIPT = "Hi, I would like to book an appointment for next Tuesday.";
    static final String DEFAULT_REPLY = "Sure, I can help with that. What time on Tuesday works best for you?";

    private FakeVendorsMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Knobs knobs = new Knobs(System.getenv());
        int base = knobs.integer("FAKES_BASE_PORT", 18090, 1024, 65000);
        FakeCloudflare cloudflare = new FakeCloudflare(CF_ACCOUNT, CF_TOKEN, base + 1);
        FakeElevenLabs elevenLabs = new FakeElevenLabs(ELEVENLABS_KEY, base + 2);
        FakeTwilioRest twilio = new FakeTwilioRest(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, base + 3);
        FakeGoHighLevel ghl = new FakeGoHighLevel(GHL_TOKEN, GHL_LOCATION, base + 4);
        List<FakeVendorServer> all = List.of(cloudflare, elevenLabs, twilio, ghl);
        all.forEach(fake -> fake.recording(false));

        cloudflare.whisperLatency(millis(knobs, "STT_MS", 350));
        cloudflare.firstTokenLatency(millis(knobs, "LLM_FIRST_TOKEN_MS", 300));
        cloudflare.tokenInterval(millis(knobs, "LLM_TOKEN_MS", 20));
        String transcript = knobs.string("TRANSCRIPT", DEFAULT_TRANSCRIPT);
        String reply = knobs.string("REPLY", DEFAULT_REPLY);
        cloudflare.transcriber(call -> transcript);
        // A persona on live transcription hears the same words for every turn of the fake recogniser.
        cloudflare.streaming().recording(false);
        cloudflare.streaming().speaker((session, turn) -> transcript);
        cloudflare.replier(call -> reply);
        elevenLabs.firstByteLatency(millis(knobs, "TTS_FIRST_BYTE_MS", 200));
        elevenLabs.chunkInterval(millis(knobs, "TTS_CHUNK_MS", 0));
        ghl.latency(millis(knobs, "GHL_MS", 100));
        int maxSeconds = knobs.integer("FAKES_MAX_SECONDS", 3600, 1, 24 * 3600);

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.printf("fake vendor requests: whisper=%d llm=%d aura=%d elevenlabs=%d twilio=%d ghl=%d%n",
                              cloudflare.requestCount(FakeCloudflare.WHISPER), cloudflare.requestCount(FakeCloudflare.LLM),
                              cloudflare.requestCount(FakeCloudflare.AURA), elevenLabs.requestCount(FakeElevenLabs.TTS),
                              twilio.requestCount(FakeTwilioRest.CALLS),
                              ghl.requestCount(FakeGoHighLevel.UPSERT) + ghl.requestCount(FakeGoHighLevel.NOTES)
                              + ghl.requestCount(FakeGoHighLevel.TAGS));
            all.forEach(FakeVendorServer::close);
            stopped.countDown();
        }, "fakes-stop"));

        // Whisper, the model and Aura are plain HTTP: unless the persona streams speech-to-text (a WebSocket only the
        // front door serves), the server talks to the HTTP server directly, without the relay's extra hop per chunk.
        boolean streamingStt = !knobs.string("LOAD_STT_MODEL", "@cf/openai/whisper").contains("whisper");
        String cloudflareUrl = streamingStt ? cloudflare.baseUrl() : cloudflare.httpOnlyBaseUrl();
        System.out.println("CLOUDFLARE_API_BASE_URL=" + cloudflareUrl);
        System.out.println("CLOUDFLARE_ACCOUNT_ID=" + CF_ACCOUNT);
        System.out.println("CLOUDFLARE_API_TOKEN=" + CF_TOKEN);
        System.out.println("ELEVENLABS_API_BASE_URL=" + elevenLabs.baseUrl());
        System.out.println("ELEVENLABS_API_KEY=" + ELEVENLABS_KEY);
        System.out.println("TWILIO_API_BASE_URL=" + twilio.baseUrl());
        System.out.println("TWILIO_ACCOUNT_SID=" + TWILIO_ACCOUNT_SID);
        System.out.println("TWILIO_AUTH_TOKEN=" + TWILIO_AUTH_TOKEN);
        System.out.println("GHL_API_BASE_URL=" + ghl.baseUrl());
        System.out.println("GHL_API_KEY=" + GHL_TOKEN);
        System.out.println("GHL_LOCATION_ID=" + GHL_LOCATION);
        System.out.println("fakes ready");
        System.out.flush();
        // Bounded: a forgotten fakes process goes away by itself.
        if (!stopped.await(maxSeconds, TimeUnit.SECONDS)) {
            System.out.println("fakes: FAKES_MAX_SECONDS reached, stopping");
            System.exit(0);
        }
    }

    private static Duration millis(Knobs knobs, String name, int dflt) {
        return Duration.ofMillis(knobs.integer(name, dflt, 0, 60_000));
    }
}
