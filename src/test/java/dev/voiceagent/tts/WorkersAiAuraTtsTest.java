package dev.voiceagent.tts;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeCloudflare.AuraReply;
import dev.voiceagent.fakes.FakeVendorServer.ReceivedRequest;
import dev.voiceagent.fakes.Fault;
import dev.voiceagent.fakes.TestAudio;
import dev.voiceagent.vendor.CloudflareAccount;
import dev.voiceagent.vendor.VendorException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.voiceagent.tts.ElevenLabsTtsTest.collect;
import static dev.voiceagent.tts.ElevenLabsTtsTest.peak;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WorkersAiAuraTtsTest {

    private static final String TOKEN = "cf-token-secret";
    private static final Duration TIMEOUT = Duration.ofMillis(400);
    private static final Voice VOICE = new Voice("21m00Tcm4TlvDq8ikWAM", "eleven_flash_v2_5", 0.5, 0.75, 0, 1, "luna");
    private static final String TEXT = "Sorry, one moment please.";

    private FakeCloudflare cloudflare;
    private WorkersAiAuraTts aura;

    @BeforeEach
    void startFake() {
        cloudflare = new FakeCloudflare("acc123", TOKEN);
        aura = new WorkersAiAuraTts(cloudflare.account(), TIMEOUT);
    }

    @AfterEach
    void stopFake() {
        cloudflare.close();
    }

    @Test
    void sendsTheDocumentedRequest() {
        aura.synthesize(SpeechRequest.of(TEXT, VOICE), (bytes, offset, length) -> true);

        ReceivedRequest request = cloudflare.requests(FakeCloudflare.AURA).getFirst();
        assertThat(request.uri().getRawPath(), is("/accounts/acc123/ai/run/@cf/deepgram/aura-1"));
        assertThat(request.header("Authorization"), is("Bearer " + TOKEN));
        assertThat(request.header("Content-Type"), containsString("application/json"));
        FakeCloudflare.AuraCall call = cloudflare.auraCalls().getFirst();
        assertThat(call.text(), is(TEXT));
        assertThat(call.speaker(), is("luna"));
        assertThat(call.body().path("encoding").asText(), is("mulaw"));
        assertThat(call.body().path("sample_rate").asInt(), is(8000));
        assertThat(call.body().path("container").asText(), is("none"));
        assertThat(cloudflare.auraTexts(), is(java.util.List.of(TEXT)));
    }

    @Test
    void voiceWithoutFallbackSpeakerUsesAsteria() {
        Voice noFallback = new Voice("v1", "eleven_flash_v2_5", 0.5, 0.75, 0, 1, " ");

        aura.synthesize(SpeechRequest.of(TEXT, noFallback), (bytes, offset, length) -> true);

        assertThat(cloudflare.auraCalls().getFirst().speaker(), is("asteria"));
    }

    @Test
    void rawMuLawIsForwardedUnchanged() {
        ByteArrayOutputStream audio = new ByteArrayOutputStream();

        aura.synthesize(SpeechRequest.of(TEXT, VOICE), collect(audio));

        assertThat(audio.toByteArray(), is(TestAudio.toneMuLaw(cloudflare.audioMillisFor(TEXT))));
    }

    @ParameterizedTest
    @EnumSource(value = AuraReply.class, names = {"WAV_MULAW", "WAV_PCM16", "JSON_BASE64_WAV"})
    void wrappedOrEncodedAudioArrivesAsPlainMuLawOfTheSameLength(AuraReply shape) {
        cloudflare.auraReply(shape);
        ByteArrayOutputStream audio = new ByteArrayOutputStream();

        aura.synthesize(SpeechRequest.of(TEXT, VOICE), collect(audio));

        assertThat(audio.size(), is(cloudflare.audioMillisFor(TEXT) * 8));
        assertThat(audio.toByteArray()[0], is(TestAudio.toneMuLaw(1)[0])); // starts with audio, not "RIFF"
        assertThat(peak(audio.toByteArray()), greaterThan(TestAudio.TONE_AMPLITUDE / 2));
    }

    @ParameterizedTest
    @EnumSource(value = AuraReply.class, names = {"WAV_PCM16_16KHZ", "WAV_PCM16_24KHZ"})
    void wavAtAnotherSampleRateIsResampledTo8kHzMuLaw(AuraReply shape) {
        cloudflare.auraReply(shape);
        ByteArrayOutputStream audio = new ByteArrayOutputStream();

        aura.synthesize(SpeechRequest.of(TEXT, VOICE), collect(audio));

        assertThat("8 kHz: 8 bytes per ms", audio.size(), is(cloudflare.audioMillisFor(TEXT) * 8));
        assertThat(new String(audio.toByteArray(), 0, 4, java.nio.charset.StandardCharsets.ISO_8859_1),
                   not("RIFF"));
        assertThat("the tone survives resampling", peak(audio.toByteArray()), greaterThan(TestAudio.TONE_AMPLITUDE / 2));
    }

    @ParameterizedTest
    @EnumSource(value = AuraReply.class, names = {"MP3", "MP3_UNTAGGED", "JSON_BASE64_MP3"})
    void mp3IsRefusedNotForwarded(AuraReply shape) {
        cloudflare.auraReply(shape);
        ByteArrayOutputStream audio = new ByteArrayOutputStream();

        VendorException e = assertThrows(VendorException.class,
                () -> aura.synthesize(SpeechRequest.of(TEXT, VOICE), collect(audio)));

        assertThat(e.kind(), is(VendorException.Kind.BAD_RESPONSE));
        assertThat(e.getMessage(), containsString("MP3"));
        assertThat("not one byte reached Twilio's side", audio.size(), is(0));
    }

    @Test
    void anErrorEnvelopeLabelledAsAudioIsRecognisedByItsContent() {
        cloudflare.auraReply(AuraReply.JSON_ERROR_AS_AUDIO);
        ByteArrayOutputStream audio = new ByteArrayOutputStream();

        VendorException e = assertThrows(VendorException.class,
                () -> aura.synthesize(SpeechRequest.of(TEXT, VOICE), collect(audio)));

        assertThat(e.kind(), is(VendorException.Kind.BAD_RESPONSE));
        assertThat(e.getMessage(), containsString("5004"));
        assertThat(audio.size(), is(0));
    }

    @Test
    void rawMuLawThatStartsLikeAnMpegHeaderIsStillAudio() {
        // 0xFF is mu-law silence; a run of it, or silence then quiet samples, must not be mistaken for MP3.
        byte[] mulaw = new byte[4000];
        java.util.Arrays.fill(mulaw, (byte) 0xFF);
        mulaw[1] = (byte) 0xFB;
        cloudflare.failNext(FakeCloudflare.AURA, Fault.reply(200, "audio/mpeg", mulaw));
        ByteArrayOutputStream audio = new ByteArrayOutputStream();

        aura.synthesize(SpeechRequest.of(TEXT, VOICE), collect(audio));

        assertThat(audio.toByteArray(), is(mulaw));
    }

    @Test
    void jsonWithRawMuLawIsDecoded() {
        byte[] mulaw = TestAudio.toneMuLaw(250);
        cloudflare.failNext(FakeCloudflare.AURA, Fault.reply(200, "application/json",
                "{\"result\":{\"audio\":\"" + Base64.getEncoder().encodeToString(mulaw)
                        + "\"},\"success\":true,\"errors\":[],\"messages\":[]}"));
        ByteArrayOutputStream audio = new ByteArrayOutputStream();

        aura.synthesize(SpeechRequest.of(TEXT, VOICE), collect(audio));

        assertThat(audio.toByteArray(), is(mulaw));
    }

    @Test
    void errorEnvelopeWithStatus200IsABadResponse() {
        cloudflare.failNext(FakeCloudflare.AURA, Fault.reply(200, "application/json",
                "{\"errors\":[{\"code\":5004,\"message\":\"Invalid data\"}],\"success\":false,\"result\":{},\"messages\":[]}"));

        VendorException e = assertThrows(VendorException.class,
                () -> aura.synthesize(SpeechRequest.of(TEXT, VOICE), (bytes, offset, length) -> true));

        assertThat(e.kind(), is(VendorException.Kind.BAD_RESPONSE));
        assertThat(e.getMessage(), containsString("code 5004: Invalid data"));
    }

    @Test
    void sinkReturningFalseStopsAtOnceAndTheClientKeepsWorking() {
        cloudflare.msPerChar(400); // 10 s of audio for this text
        AtomicLong received = new AtomicLong();
        long start = System.nanoTime();

        aura.synthesize(SpeechRequest.of(TEXT, VOICE), (bytes, offset, length) -> {
            received.addAndGet(length);
            return false;
        });

        assertThat((System.nanoTime() - start) / 1_000_000, lessThan(500L));
        assertThat(received.get(), lessThanOrEqualTo(2048L));
        ByteArrayOutputStream next = new ByteArrayOutputStream();
        aura.synthesize(SpeechRequest.of("Hi.", VOICE), collect(next));
        assertThat(next.size(), is(cloudflare.audioMillisFor("Hi.") * 8));
    }

    @Test
    void connectionDroppedMidStreamIsAStreamCut() {
        cloudflare.failNext(FakeCloudflare.AURA, Fault.cutAfterBytes(500));
        ByteArrayOutputStream audio = new ByteArrayOutputStream();

        VendorException e = assertThrows(VendorException.class,
                () -> aura.synthesize(SpeechRequest.of(TEXT, VOICE), collect(audio)));

        assertThat(e.kind(), is(VendorException.Kind.STREAM_CUT));
        assertThat(audio.size(), is(500));
    }

    @Test
    void wrongTokenIsUnauthorized() {
        WorkersAiAuraTts wrong = new WorkersAiAuraTts(
                new CloudflareAccount(cloudflare.baseUri(), "acc123", "stale-token"), TIMEOUT);

        VendorException e = assertThrows(VendorException.class,
                () -> wrong.synthesize(SpeechRequest.of(TEXT, VOICE), (bytes, offset, length) -> true));

        assertThat(e.kind(), is(VendorException.Kind.UNAUTHORIZED));
        assertThat(e.getMessage(), not(containsString("stale-token")));
    }

    @Test
    void capacityErrorIsRateLimited() {
        cloudflare.failNext(FakeCloudflare.AURA, Fault.status(429));

        VendorException e = assertThrows(VendorException.class,
                () -> aura.synthesize(SpeechRequest.of(TEXT, VOICE), (bytes, offset, length) -> true));

        assertThat(e.kind(), is(VendorException.Kind.RATE_LIMITED));
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 503})
    void serverErrorsAreServerErrors(int status) {
        cloudflare.failNext(FakeCloudflare.AURA, Fault.status(status));

        VendorException e = assertThrows(VendorException.class,
                () -> aura.synthesize(SpeechRequest.of(TEXT, VOICE), (bytes, offset, length) -> true));

        assertThat(e.kind(), is(VendorException.Kind.SERVER_ERROR));
    }

    @Test
    void slowVendorTimesOut() {
        cloudflare.failNext(FakeCloudflare.AURA, Fault.delay(Duration.ofSeconds(2)));

        VendorException e = assertThrows(VendorException.class,
                () -> aura.synthesize(SpeechRequest.of(TEXT, VOICE), (bytes, offset, length) -> true));

        assertThat(e.kind(), is(VendorException.Kind.TIMEOUT));
    }
}
