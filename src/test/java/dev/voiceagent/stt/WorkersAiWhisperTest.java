package dev.voiceagent.stt;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeVendorServer.ReceivedRequest;
import dev.voiceagent.fakes.Fault;
import dev.voiceagent.fakes.TestAudio;
import dev.voiceagent.vendor.CloudflareAccount;
import dev.voiceagent.vendor.VendorException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WorkersAiWhisperTest {

    private static final String ACCOUNT = "acc123";
    private static final String TOKEN = "cf-token-secret";
    private static final String TURBO = "@cf/openai/whisper-large-v3-turbo";
    private static final String CLASSIC = "@cf/openai/whisper";
    private static final Duration TIMEOUT = Duration.ofMillis(400);

    private final byte[] oneSecondWav = TestAudio.wavPcm16(TestAudio.tonePcm(1000, 8000), 8000);
    private FakeCloudflare cloudflare;

    @BeforeEach
    void startFake() {
        cloudflare = new FakeCloudflare(ACCOUNT, TOKEN);
    }

    @AfterEach
    void stopFake() {
        cloudflare.close();
    }

    @Test
    void turboModelGetsBase64JsonWithLanguageAndReturnsTheText() throws Exception {
        cloudflare.queueTranscripts("  I'd like to book a table.  ");

        Transcript transcript = whisper(TURBO).transcribe(oneSecondWav);

        assertThat(transcript.text(), is("I'd like to book a table."));
        ReceivedRequest request = cloudflare.requests(FakeCloudflare.WHISPER).getFirst();
        assertThat(request.uri().getRawPath(), is("/accounts/acc123/ai/run/@cf/openai/whisper-large-v3-turbo"));
        assertThat(request.header("Authorization"), is("Bearer " + TOKEN));
        assertThat(request.header("Content-Type"), containsString("application/json"));
        JsonNode body = new ObjectMapper().readTree(request.body());
        assertThat(body.path("language").asText(), is("en"));
        assertThat(Base64.getDecoder().decode(body.path("audio").asText()), is(oneSecondWav));
        FakeCloudflare.WhisperCall call = cloudflare.whisperCalls().getFirst();
        assertThat(call.model(), is(TURBO));
        assertThat(call.audioMillis(), is(1000));
    }

    @Test
    void withoutALanguageTheJsonHasOnlyTheAudioAndALanguageIsEscaped() throws Exception {
        cloudflare.queueTranscripts("one", "two");

        new WorkersAiWhisper(cloudflare.account(), TURBO, " ", TIMEOUT).transcribe(oneSecondWav);
        new WorkersAiWhisper(cloudflare.account(), TURBO, "e\"n\\", TIMEOUT).transcribe(oneSecondWav);

        JsonNode bare = new ObjectMapper().readTree(cloudflare.requests(FakeCloudflare.WHISPER).get(0).body());
        List<String> fields = new ArrayList<>();
        bare.fieldNames().forEachRemaining(fields::add);
        assertThat(fields, is(List.of("audio")));
        assertThat(Base64.getDecoder().decode(bare.path("audio").asText()), is(oneSecondWav));
        JsonNode odd = new ObjectMapper().readTree(cloudflare.requests(FakeCloudflare.WHISPER).get(1).body());
        assertThat(odd.path("language").asText(), is("e\"n\\"));
    }

    @Test
    void classicModelGetsTheWavAsRawBinaryBody() {
        cloudflare.transcriber(call -> "heard " + call.audioMillis() + " ms");

        Transcript transcript = whisper(CLASSIC).transcribe(oneSecondWav);

        assertThat(transcript.text(), is("heard 1000 ms"));
        ReceivedRequest request = cloudflare.requests(FakeCloudflare.WHISPER).getFirst();
        assertThat(request.uri().getRawPath(), is("/accounts/acc123/ai/run/@cf/openai/whisper"));
        assertThat(request.header("Content-Type"), is("application/octet-stream"));
        assertThat(request.body(), is(oneSecondWav));
    }

    @Test
    void silenceComesBackAsAnEmptyTranscript() {
        Transcript transcript = whisper(TURBO).transcribe(oneSecondWav);

        assertThat(transcript.text(), is(""));
        assertThat(transcript.isEmpty(), is(true));
    }

    @Test
    void wrongTokenIsUnauthorizedAndTheMessageHidesTheToken() {
        CloudflareAccount wrong = new CloudflareAccount(cloudflare.baseUri(), ACCOUNT, "not-the-token");
        WorkersAiWhisper whisper = new WorkersAiWhisper(wrong, TURBO, "en", TIMEOUT);

        VendorException e = assertThrows(VendorException.class, () -> whisper.transcribe(oneSecondWav));

        assertThat(e.kind(), is(VendorException.Kind.UNAUTHORIZED));
        assertThat(e.status(), is(401));
        assertThat(e.getMessage(), containsString("code 10000: Authentication error"));
        assertThat(e.getMessage(), not(containsString("not-the-token")));
    }

    @Test
    void capacityErrorIsRateLimitedWithTheVendorCode() {
        cloudflare.failNext(FakeCloudflare.WHISPER, Fault.status(429));

        VendorException e = assertThrows(VendorException.class, () -> whisper(TURBO).transcribe(oneSecondWav));

        assertThat(e.kind(), is(VendorException.Kind.RATE_LIMITED));
        assertThat(e.getMessage(), containsString("code 3040: Capacity temporarily exceeded"));
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 503})
    void serverErrorsAreServerErrors(int status) {
        cloudflare.failNext(FakeCloudflare.WHISPER, Fault.status(status));

        VendorException e = assertThrows(VendorException.class, () -> whisper(TURBO).transcribe(oneSecondWav));

        assertThat(e.kind(), is(VendorException.Kind.SERVER_ERROR));
        assertThat(e.status(), is(status));
    }

    @Test
    void audioTheModelRejectsIsABadResponse() {
        byte[] notWav = "definitely not audio".getBytes();

        VendorException e = assertThrows(VendorException.class, () -> whisper(CLASSIC).transcribe(notWav));

        assertThat(e.kind(), is(VendorException.Kind.BAD_RESPONSE));
        assertThat(e.getMessage(), containsString("code 5004"));
    }

    @Test
    void unsuccessfulEnvelopeIsABadResponse() {
        cloudflare.failNext(FakeCloudflare.WHISPER, Fault.reply(200, "application/json",
                "{\"result\":{},\"success\":false,\"errors\":[{\"code\":5004,\"message\":\"Invalid data\"}],\"messages\":[]}"));

        VendorException e = assertThrows(VendorException.class, () -> whisper(TURBO).transcribe(oneSecondWav));

        assertThat(e.kind(), is(VendorException.Kind.BAD_RESPONSE));
        assertThat(e.getMessage(), containsString("Invalid data"));
    }

    @Test
    void answerWithoutTextIsABadResponse() {
        cloudflare.failNext(FakeCloudflare.WHISPER, Fault.reply(200, "application/json",
                "{\"result\":{\"word_count\":0},\"success\":true,\"errors\":[],\"messages\":[]}"));

        VendorException e = assertThrows(VendorException.class, () -> whisper(TURBO).transcribe(oneSecondWav));

        assertThat(e.kind(), is(VendorException.Kind.BAD_RESPONSE));
    }

    @Test
    void slowVendorTimesOut() {
        cloudflare.whisperLatency(Duration.ofSeconds(2));

        long start = System.nanoTime();
        VendorException e = assertThrows(VendorException.class, () -> whisper(TURBO).transcribe(oneSecondWav));

        assertThat(e.kind(), is(VendorException.Kind.TIMEOUT));
        assertThat(Duration.ofNanos(System.nanoTime() - start).toMillis() < 1500, is(true));
    }

    @Test
    void pooledConnectionIdleForAlmostTheTimeoutDoesNotCauseAFalseTimeout() throws Exception {
        WorkersAiWhisper whisper = whisper(TURBO);
        whisper.transcribe(oneSecondWav);
        Thread.sleep(TIMEOUT.toMillis() - 150); // Helidon 4.1.2 gives up on this idle connection in 150 ms
        cloudflare.whisperLatency(Duration.ofMillis(250));
        cloudflare.transcriber(call -> "still here"); // not a queue: the lost first attempt would use it up

        Transcript transcript = whisper.transcribe(oneSecondWav);

        assertThat(transcript.text(), is("still here"));
    }

    @Test
    void answerCutMidwayIsAStreamCut() {
        cloudflare.failNext(FakeCloudflare.WHISPER, Fault.cutAfterBytes(10));

        VendorException e = assertThrows(VendorException.class, () -> whisper(TURBO).transcribe(oneSecondWav));

        assertThat(e.kind(), is(VendorException.Kind.STREAM_CUT));
    }

    @Test
    void unreachableVendorIsANetworkFailure() {
        URI closedPort = cloudflare.baseUri();
        cloudflare.close();
        WorkersAiWhisper whisper = new WorkersAiWhisper(new CloudflareAccount(closedPort, ACCOUNT, TOKEN), TURBO, "en",
                TIMEOUT);

        VendorException e = assertThrows(VendorException.class, () -> whisper.transcribe(oneSecondWav));

        assertThat(e.kind(), is(VendorException.Kind.NETWORK));
    }

    @Test
    void missingTokenFailsWithoutCallingTheVendor() {
        WorkersAiWhisper whisper = new WorkersAiWhisper(new CloudflareAccount(cloudflare.baseUri(), ACCOUNT, ""), TURBO,
                "en", TIMEOUT);

        VendorException e = assertThrows(VendorException.class, () -> whisper.transcribe(oneSecondWav));

        assertThat(e.kind(), is(VendorException.Kind.UNCONFIGURED));
        assertThat(cloudflare.requestCount(FakeCloudflare.WHISPER), is(0));
    }

    @Test
    void accountToStringHidesTheToken() {
        assertThat(cloudflare.account().toString(), not(containsString(TOKEN)));
    }

    private WorkersAiWhisper whisper(String model) {
        return new WorkersAiWhisper(cloudflare.account(), model, "en", TIMEOUT);
    }
}
