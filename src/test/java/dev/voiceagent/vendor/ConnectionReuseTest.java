package dev.voiceagent.vendor;

import java.time.Duration;
import java.util.List;

import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeElevenLabs;
import dev.voiceagent.llm.ChatMessage;
import dev.voiceagent.llm.ChatRequest;
import dev.voiceagent.llm.WorkersAiChat;
import dev.voiceagent.stt.WorkersAiWhisper;
import dev.voiceagent.fakes.TestAudio;
import dev.voiceagent.tts.ElevenLabsTts;
import dev.voiceagent.tts.SpeechRequest;
import dev.voiceagent.tts.Voice;
import dev.voiceagent.tts.WorkersAiAuraTts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Every vendor client sends one turn's requests after another on the same kept-alive connection once an answer was
 * read to its end: a new connection per request costs a TCP and TLS handshake before the answer (and the server's
 * CPU). Helidon keeps a connection only when the response's body was read to its end, so a client that stops at
 * the last event it needs (the model's {@code [DONE]}) must still read what follows.
 */
class ConnectionReuseTest {

    private static final String TOKEN = "cf-token-secret";
    private static final String KEY = "xi-secret-key";
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final int REQUESTS = 5;
    private static final ChatRequest CHAT = new ChatRequest("@cf/meta/llama-3.3-70b-instruct-fp8-fast",
            List.of(ChatMessage.system("You are a receptionist."), ChatMessage.user("Are you open today?")), 120, 0.4);
    private static final Voice VOICE = new Voice("21m00Tcm4TlvDq8ikWAM", "eleven_flash_v2_5", 0.5, 0.75, 0, 1, "luna");

    private final FakeCloudflare cloudflare = new FakeCloudflare("acc123", TOKEN);
    private final FakeElevenLabs elevenLabs = new FakeElevenLabs(KEY);

    @AfterEach
    void stopFakes() {
        cloudflare.close();
        elevenLabs.close();
    }

    @Test
    void streamedModelAnswersShareOneConnection() {
        WorkersAiChat chat = new WorkersAiChat(cloudflare.account(), TIMEOUT);

        for (int i = 0; i < REQUESTS; i++) {
            chat.stream(CHAT, delta -> true);
        }

        assertThat(cloudflare.requestCount(FakeCloudflare.LLM), is(REQUESTS));
        assertThat(cloudflare.connectionsSeen(), is(1));
    }

    @Test
    void aModelAnswerStoppedHalfWayGivesUpItsConnection() {
        WorkersAiChat chat = new WorkersAiChat(cloudflare.account(), TIMEOUT);
        cloudflare.queueReplies("Yes, we are open until nine tonight, and on Sundays until six.");

        chat.stream(CHAT, delta -> false);   // barge-in: the rest of the answer is not wanted, nor waited for
        chat.stream(CHAT, delta -> true);

        assertThat(cloudflare.connectionsSeen(), is(2));
    }

    @Test
    void transcriptionsShareOneConnection() {
        WorkersAiWhisper whisper = new WorkersAiWhisper(cloudflare.account(), "@cf/openai/whisper-large-v3-turbo", "en",
                                                        TIMEOUT);
        byte[] wav = TestAudio.wavPcm16(TestAudio.tonePcm(500, 8000), 8000);

        for (int i = 0; i < REQUESTS; i++) {
            whisper.transcribe(wav);
        }

        assertThat(cloudflare.connectionsSeen(), is(1));
    }

    @Test
    void elevenLabsSpeechSharesOneConnection() {
        ElevenLabsTts tts = new ElevenLabsTts(elevenLabs.baseUri(), KEY, TIMEOUT);

        for (int i = 0; i < REQUESTS; i++) {
            tts.synthesize(SpeechRequest.of("Thanks for calling, how can I help?", VOICE), (bytes, offset, length) -> true);
        }

        assertThat(elevenLabs.requestCount(FakeElevenLabs.TTS), is(REQUESTS));
        assertThat(elevenLabs.connectionsSeen(), is(1));
    }

    @Test
    void auraSpeechSharesOneConnection() {
        WorkersAiAuraTts aura = new WorkersAiAuraTts(cloudflare.account(), TIMEOUT);

        for (int i = 0; i < REQUESTS; i++) {
            aura.synthesize(SpeechRequest.of("Sorry, one moment please.", VOICE), (bytes, offset, length) -> true);
        }

        assertThat(cloudflare.connectionsSeen(), is(1));
    }
}
