package dev.voiceagent.vendor;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.voiceagent.crm.Contact;
import dev.voiceagent.crm.GoHighLevelClient;
import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeElevenLabs;
import dev.voiceagent.fakes.FakeGoHighLevel;
import dev.voiceagent.fakes.Fault;
import dev.voiceagent.fakes.TestAudio;
import dev.voiceagent.llm.ChatMessage;
import dev.voiceagent.llm.ChatRequest;
import dev.voiceagent.llm.WorkersAiChat;
import dev.voiceagent.stt.WorkersAiWhisper;
import dev.voiceagent.tts.ElevenLabsTts;
import dev.voiceagent.tts.SpeechRequest;
import dev.voiceagent.tts.Voice;
import dev.voiceagent.tts.WorkersAiAuraTts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A request that goes out on a kept-alive connection the vendor has just closed as idle gets no answer at all: the
 * connection ends before the status line. Clients that only ask (transcription, the model, speech) send it once more
 * on a new connection, so a turn is not lost to the vendor's idle-connection housekeeping; clients whose requests
 * change something (the CRM) never do, since a vendor that dropped the connection may still have acted on it.
 */
class UnansweredRequestTest {

    private static final String TOKEN = "cf-token-secret";
    private static final String KEY = "xi-secret-key";
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final ChatRequest CHAT = new ChatRequest("@cf/meta/llama-3.3-70b-instruct-fp8-fast",
            List.of(ChatMessage.system("You are a receptionist."), ChatMessage.user("Are you open today?")), 120, 0.4);
    private static final Voice VOICE = new Voice("21m00Tcm4TlvDq8ikWAM", "eleven_flash_v2_5", 0.5, 0.75, 0, 1, "luna");

    private final FakeCloudflare cloudflare = new FakeCloudflare("acc123", TOKEN);
    private final FakeElevenLabs elevenLabs = new FakeElevenLabs(KEY);
    private final FakeGoHighLevel ghl = new FakeGoHighLevel("ghl-token", "location0000000001");

    @AfterEach
    void stopFakes() {
        cloudflare.close();
        elevenLabs.close();
        ghl.close();
    }

    @Test
    void aModelRequestDroppedUnansweredIsSentOnceMoreAndAnswered() {
        WorkersAiChat chat = new WorkersAiChat(cloudflare.account(), TIMEOUT);
        cloudflare.queueReplies("Yes, we are open until nine.");
        cloudflare.failNext(FakeCloudflare.LLM, Fault.dropUnanswered());
        StringBuilder heard = new StringBuilder();

        chat.stream(CHAT, delta -> {
            heard.append(delta);
            return true;
        });

        assertThat(heard.toString(), is("Yes, we are open until nine."));
        assertThat(cloudflare.requestCount(FakeCloudflare.LLM), is(2));
    }

    @Test
    void aTranscriptionDroppedUnansweredIsSentOnceMoreAndAnswered() {
        WorkersAiWhisper whisper = new WorkersAiWhisper(cloudflare.account(), "@cf/openai/whisper-large-v3-turbo", "en",
                                                        TIMEOUT);
        cloudflare.queueTranscripts("I would like to book a table.");
        cloudflare.failNext(FakeCloudflare.WHISPER, Fault.dropUnanswered());

        String text = whisper.transcribe(TestAudio.wavPcm16(TestAudio.tonePcm(500, 8000), 8000)).text();

        assertThat(text, is("I would like to book a table."));
        assertThat(cloudflare.requestCount(FakeCloudflare.WHISPER), is(2));
    }

    @Test
    void speechDroppedUnansweredIsSentOnceMoreAndSpoken() {
        ElevenLabsTts elevenLabsTts = new ElevenLabsTts(elevenLabs.baseUri(), KEY, TIMEOUT);
        WorkersAiAuraTts aura = new WorkersAiAuraTts(cloudflare.account(), TIMEOUT);
        elevenLabs.failNext(FakeElevenLabs.TTS, Fault.dropUnanswered());
        cloudflare.failNext(FakeCloudflare.AURA, Fault.dropUnanswered());
        int[] bytes = new int[2];

        elevenLabsTts.synthesize(SpeechRequest.of("Thanks for calling.", VOICE), (b, offset, length) -> {
            bytes[0] += length;
            return true;
        });
        aura.synthesize(SpeechRequest.of("Thanks for calling.", VOICE), (b, offset, length) -> {
            bytes[1] += length;
            return true;
        });

        assertThat("ElevenLabs audio bytes", bytes[0], greaterThan(0));
        assertThat("Aura audio bytes", bytes[1], greaterThan(0));
        assertThat(elevenLabs.requestCount(FakeElevenLabs.TTS), is(2));
        assertThat(cloudflare.requestCount(FakeCloudflare.AURA), is(2));
    }

    @Test
    void aRequestDroppedTwiceFailsAsANetworkErrorAfterOneResend() {
        WorkersAiChat chat = new WorkersAiChat(cloudflare.account(), TIMEOUT);
        cloudflare.failNext(FakeCloudflare.LLM, Fault.dropUnanswered());
        cloudflare.failNext(FakeCloudflare.LLM, Fault.dropUnanswered());

        VendorException error = assertThrows(VendorException.class, () -> chat.stream(CHAT, delta -> true));

        assertThat(error.kind(), is(VendorException.Kind.NETWORK));
        assertThat(cloudflare.requestCount(FakeCloudflare.LLM), is(2));
    }

    @Test
    void anAnswerCutAfterItStartedIsNotSentAgain() {
        WorkersAiChat chat = new WorkersAiChat(cloudflare.account(), TIMEOUT);
        cloudflare.queueReplies("Yes, we are open until nine tonight, and on Sundays until six.");
        cloudflare.failNext(FakeCloudflare.LLM, Fault.cutAfterBytes(40));

        VendorException error = assertThrows(VendorException.class, () -> chat.stream(CHAT, delta -> true));

        assertThat(error.kind(), is(VendorException.Kind.STREAM_CUT));
        assertThat(cloudflare.requestCount(FakeCloudflare.LLM), is(1));
    }

    @Test
    void aCrmRequestDroppedUnansweredIsNotSentAgain() {
        GoHighLevelClient crm = new GoHighLevelClient(ghl.baseUri(), "ghl-token", "location0000000001", TIMEOUT);
        ghl.failNext(FakeGoHighLevel.UPSERT, Fault.dropUnanswered());

        VendorException error = assertThrows(VendorException.class, () -> crm.upsertContact(
                new Contact("+15557654321", Optional.of("Jane Doe"), "voice agent")));

        assertThat(error.kind(), is(VendorException.Kind.NETWORK));
        assertThat(ghl.requestCount(FakeGoHighLevel.UPSERT), is(1));
    }
}
