package dev.voiceagent.tts;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import dev.voiceagent.audio.MuLaw;
import dev.voiceagent.fakes.FakeElevenLabs;
import dev.voiceagent.fakes.FakeVendorServer.ReceivedRequest;
import dev.voiceagent.fakes.Fault;
import dev.voiceagent.fakes.TestAudio;
import dev.voiceagent.vendor.VendorException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ElevenLabsTtsTest {

    private static final String KEY = "xi-secret-key";
    private static final Duration TIMEOUT = Duration.ofMillis(400);
    private static final Voice VOICE = new Voice("21m00Tcm4TlvDq8ikWAM", "eleven_flash_v2_5", 0.5, 0.75, 0.1, 1.05,
            "luna");
    private static final String TEXT = "Thanks for calling, how can I help?";

    private FakeElevenLabs elevenLabs;
    private ElevenLabsTts tts;

    @BeforeEach
    void startFake() {
        elevenLabs = new FakeElevenLabs(KEY);
        tts = new ElevenLabsTts(elevenLabs.baseUri(), KEY, TIMEOUT);
    }

    @AfterEach
    void stopFake() {
        elevenLabs.close();
    }

    @Test
    void forwardsTheWholeMuLawStreamUnchanged() {
        ByteArrayOutputStream audio = new ByteArrayOutputStream();

        tts.synthesize(SpeechRequest.of(TEXT, VOICE), collect(audio));

        assertThat(audio.size(), is(elevenLabs.audioBytesFor(TEXT)));
        assertThat(audio.toByteArray(), is(TestAudio.toneMuLaw(elevenLabs.audioMillisFor(TEXT))));
        assertThat(peak(audio.toByteArray()), greaterThan(TestAudio.TONE_AMPLITUDE / 2));
    }

    @Test
    void sendsTheDocumentedRequest() {
        tts.synthesize(new SpeechRequest(TEXT, VOICE, "Good morning."), (bytes, offset, length) -> true);

        ReceivedRequest request = elevenLabs.requests(FakeElevenLabs.TTS).getFirst();
        assertThat(request.uri().getRawPath(), is("/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM/stream"));
        assertThat(request.uri().getRawQuery(), is("output_format=ulaw_8000"));
        assertThat(request.header("xi-api-key"), is(KEY));
        assertThat(request.header("Content-Type"), containsString("application/json"));
        FakeElevenLabs.TtsCall call = elevenLabs.ttsCalls().getFirst();
        assertThat(call.voiceId(), is("21m00Tcm4TlvDq8ikWAM"));
        assertThat(call.text(), is(TEXT));
        assertThat(call.modelId(), is("eleven_flash_v2_5"));
        assertThat(call.outputFormat(), is("ulaw_8000"));
        JsonNode settings = call.body().path("voice_settings");
        assertThat(settings.path("stability").asDouble(), is(0.5));
        assertThat(settings.path("similarity_boost").asDouble(), is(0.75));
        assertThat(settings.path("style").asDouble(), is(0.1));
        assertThat(settings.path("use_speaker_boost").asBoolean(), is(true));
        assertThat(settings.path("speed").asDouble(), is(1.05));
        assertThat(call.body().path("previous_text").asText(), is("Good morning."));
    }

    @Test
    void previousTextIsLeftOutWhenEmpty() {
        tts.synthesize(SpeechRequest.of(TEXT, VOICE), (bytes, offset, length) -> true);

        assertThat(elevenLabs.ttsCalls().getFirst().body().has("previous_text"), is(false));
    }

    @Test
    void audioReachesTheSinkWhileTheVendorIsStillSending() {
        elevenLabs.chunkInterval(Duration.ofMillis(50));
        long start = System.nanoTime();
        AtomicLong firstAudioAt = new AtomicLong();

        tts.synthesize(SpeechRequest.of(TEXT, VOICE), (bytes, offset, length) -> {
            firstAudioAt.compareAndSet(0, System.nanoTime());
            return true;
        });

        long totalMillis = (System.nanoTime() - start) / 1_000_000;
        long firstMillis = (firstAudioAt.get() - start) / 1_000_000;
        assertThat(totalMillis, greaterThan(500L)); // 14 chunks, 13 pauses of 50 ms
        assertThat(firstMillis, lessThan(totalMillis - 400));
    }

    @Test
    void sinkReturningFalseStopsAtOnceAndTheClientKeepsWorking() {
        elevenLabs.chunkInterval(Duration.ofMillis(100));
        AtomicLong received = new AtomicLong();
        long start = System.nanoTime();

        tts.synthesize(SpeechRequest.of(TEXT, VOICE), (bytes, offset, length) -> {
            received.addAndGet(length);
            return false;
        });

        assertThat((System.nanoTime() - start) / 1_000_000, lessThan(500L));
        assertThat(received.get(), lessThanOrEqualTo(800L));
        ByteArrayOutputStream next = new ByteArrayOutputStream();
        tts.synthesize(SpeechRequest.of("Okay.", VOICE), collect(next));
        assertThat(next.size(), is(elevenLabs.audioBytesFor("Okay.")));
    }

    @Test
    void connectionDroppedMidStreamIsAStreamCutAfterTheAudioSoFar() {
        elevenLabs.failNext(FakeElevenLabs.TTS, Fault.cutAfterBytes(1000));
        ByteArrayOutputStream audio = new ByteArrayOutputStream();

        VendorException e = assertThrows(VendorException.class,
                () -> tts.synthesize(SpeechRequest.of(TEXT, VOICE), collect(audio)));

        assertThat(e.kind(), is(VendorException.Kind.STREAM_CUT));
        assertThat(audio.size(), is(1000));
    }

    @Test
    void wavWrappedAudioIsUnwrappedSoNoHeaderReachesTwilio() {
        byte[] mulaw = TestAudio.toneMuLaw(300);
        elevenLabs.failNext(FakeElevenLabs.TTS, Fault.reply(200, "audio/wav", TestAudio.wavMuLaw(mulaw)));
        ByteArrayOutputStream audio = new ByteArrayOutputStream();

        tts.synthesize(SpeechRequest.of(TEXT, VOICE), collect(audio));

        assertThat(audio.toByteArray(), is(mulaw));
    }

    @Test
    void wrongKeyIsUnauthorizedAndTheMessageHidesTheKey() {
        ElevenLabsTts wrong = new ElevenLabsTts(elevenLabs.baseUri(), "sk-wrong-key", TIMEOUT);

        VendorException e = assertThrows(VendorException.class,
                () -> wrong.synthesize(SpeechRequest.of(TEXT, VOICE), (bytes, offset, length) -> true));

        assertThat(e.kind(), is(VendorException.Kind.UNAUTHORIZED));
        assertThat(e.getMessage(), containsString("invalid_api_key: Invalid API key"));
        assertThat(e.getMessage(), not(containsString("sk-wrong-key")));
    }

    @Test
    void tooManyConcurrentRequestsIsRateLimited() {
        elevenLabs.failNext(FakeElevenLabs.TTS, Fault.status(429));

        VendorException e = assertThrows(VendorException.class,
                () -> tts.synthesize(SpeechRequest.of(TEXT, VOICE), (bytes, offset, length) -> true));

        assertThat(e.kind(), is(VendorException.Kind.RATE_LIMITED));
        assertThat(e.getMessage(), containsString("too_many_concurrent_requests"));
    }

    @Test
    void validationErrorIsABadResponseNamingTheField() {
        elevenLabs.failNext(FakeElevenLabs.TTS, Fault.status(422));

        VendorException e = assertThrows(VendorException.class,
                () -> tts.synthesize(SpeechRequest.of(TEXT, VOICE), (bytes, offset, length) -> true));

        assertThat(e.kind(), is(VendorException.Kind.BAD_RESPONSE));
        assertThat(e.getMessage(), containsString("body.text: Field required"));
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 503})
    void serverErrorsAreServerErrors(int status) {
        elevenLabs.failNext(FakeElevenLabs.TTS, Fault.status(status));

        VendorException e = assertThrows(VendorException.class,
                () -> tts.synthesize(SpeechRequest.of(TEXT, VOICE), (bytes, offset, length) -> true));

        assertThat(e.kind(), is(VendorException.Kind.SERVER_ERROR));
    }

    @Test
    void slowVendorTimesOut() {
        elevenLabs.failNext(FakeElevenLabs.TTS, Fault.delay(Duration.ofSeconds(2)));

        VendorException e = assertThrows(VendorException.class,
                () -> tts.synthesize(SpeechRequest.of(TEXT, VOICE), (bytes, offset, length) -> true));

        assertThat(e.kind(), is(VendorException.Kind.TIMEOUT));
    }

    @Test
    void slowFirstAudioTimesOut() {
        elevenLabs.firstByteLatency(Duration.ofSeconds(2));

        VendorException e = assertThrows(VendorException.class,
                () -> tts.synthesize(SpeechRequest.of(TEXT, VOICE), (bytes, offset, length) -> true));

        assertThat(e.kind(), is(VendorException.Kind.TIMEOUT));
    }

    @Test
    void blankTextCostsNoRequest() {
        tts.synthesize(SpeechRequest.of("  ", VOICE), (bytes, offset, length) -> true);

        assertThat(elevenLabs.requestCount(FakeElevenLabs.TTS), is(0));
    }

    @Test
    void missingKeyFailsWithoutCallingTheVendor() {
        ElevenLabsTts unconfigured = new ElevenLabsTts(URI.create(elevenLabs.baseUrl()), " ", TIMEOUT);

        VendorException e = assertThrows(VendorException.class,
                () -> unconfigured.synthesize(SpeechRequest.of(TEXT, VOICE), (bytes, offset, length) -> true));

        assertThat(e.kind(), is(VendorException.Kind.UNCONFIGURED));
        assertThat(elevenLabs.requestCount(FakeElevenLabs.TTS), is(0));
    }

    static SpeechSynthesizer.AudioSink collect(ByteArrayOutputStream into) {
        return (bytes, offset, length) -> {
            into.write(bytes, offset, length);
            return true;
        };
    }

    static int peak(byte[] mulaw) {
        int peak = 0;
        for (byte b : mulaw) {
            peak = Math.max(peak, Math.abs(MuLaw.decode(b)));
        }
        return peak;
    }
}
