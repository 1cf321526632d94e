package dev.voiceagent.e2e;

import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeStreamingStt;
import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.fakes.StreamFault;
import dev.voiceagent.persona.Stt;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

/**
 * Whole calls over real sockets with live transcription: the server streams the caller's audio to the fake
 * Workers AI WebSocket and answers from the words it sends back, and copes with the socket failing.
 */
class StreamingCallTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String NOVA3 = AgentHarness.streaming(AgentHarness.speculating("afterMs: 100"), Stt.NOVA3);

    @Test
    void aMultiTurnCallIsAnsweredFromStreamedWordsWithoutBatchTranscription() throws Exception {
        try (AgentHarness h = AgentHarness.start(NOVA3)) {
            FakeStreamingStt stt = h.cloudflare.streaming();
            // The fake ends its turn at the vendor's endpointing silence (300 ms), as Deepgram marks speech_final
            // there: the 450 ms pause inside the second sentence gives it two turns of words.
            stt.queueUtterances("My name is Jane Doe.", "I need a plumber", "to fix a leaking pipe in my kitchen.");
            h.cloudflare.replier(call -> "Thanks, noted.");
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));

            caller.speak(clip("my_name"));
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            assertThat(caller.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));
            caller.speak(clip("pause_mid_sentence"));
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            assertThat(caller.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));

            assertThat(h.cloudflare.whisperCalls().size(), is(0));
            var stored = h.awaitStoredCall(caller.callSid(), d -> d.turns().size() >= 5, "both exchanges stored");
            assertThat(stored.turns().get(1).text(), is("My name is Jane Doe."));
            assertThat("one turn across the 450 ms pause", stored.turns().get(3).text(),
                       is("I need a plumber to fix a leaking pipe in my kitchen."));
            FakeStreamingStt.Session session = stt.lastSession();
            assertThat(session.model(), is(FakeStreamingStt.NOVA3));
            assertThat(session.query().get("encoding"), is("mulaw"));
            assertThat(session.query().get("sample_rate"), is("8000"));
            assertThat(session.controlTypes(), hasItem("Finalize"));
            assertThat("the caller's audio reached the recogniser", session.audioBytes(),
                       greaterThan((long) clip("my_name").length));
            caller.stop();
            assertThat(session.awaitEnd(WAIT), is(true));
            assertThat("CloseStream at the end of the call", session.controlTypes(), hasItem("CloseStream"));
        }
    }

    @Test
    void aFluxCallIsAnsweredOnItsEndOfTurn() throws Exception {
        try (AgentHarness h = AgentHarness.start(AgentHarness.streaming(AgentHarness.speculating("afterMs: 100"), Stt.FLUX))) {
            h.cloudflare.streaming().queueUtterances("My name is Jane Doe.");
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));
            caller.speak(clip("my_name"));
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));

            FakeStreamingStt.Session flux = h.cloudflare.streaming().lastSession();
            assertThat(flux.model(), is(FakeStreamingStt.FLUX));
            assertThat(flux.query().get("encoding"), is("linear16"));
            assertThat(h.cloudflare.whisperCalls().size(), is(0));
            assertThat(h.cloudflare.chatCalls().getLast().messages().getLast().get("content"), is("My name is Jane Doe."));
        }
    }

    @Test
    void aSocketRefusedAtStartLeavesTheCallToBatchWhisper() throws Exception {
        try (AgentHarness h = AgentHarness.start(NOVA3)) {
            h.cloudflare.streaming().failAlways(StreamFault.refuse(401));
            h.cloudflare.queueTranscripts("My name is Jane Doe.");
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));
            caller.speak(clip("my_name"));
            assertThat("the caller is answered all the same",
                       caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            AgentHarness.await(() -> !h.cloudflare.chatCalls().isEmpty(), WAIT, "the answer");
            assertThat(h.cloudflare.chatCalls().getLast().messages().getLast().get("content"), is("My name is Jane Doe."));
            assertThat(h.cloudflare.whisperCalls().size(), greaterThan(0));
            assertThat(metrics(h), containsString("voice_stt_fallbacks_total"));
        }
    }

    @Test
    void aSocketCutMidTurnIsReopenedAndTheTurnIsStillAnsweredFromStreamedWords() throws Exception {
        try (AgentHarness h = AgentHarness.start(NOVA3)) {
            FakeStreamingStt stt = h.cloudflare.streaming();
            stt.queueUtterances("Hi, | I would like to book an appointment for next Tuesday.",
                                "Hi, | I would like to book an appointment for next Tuesday.");
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));
            var speaking = caller.speakAsync(clip("book_appointment"));
            Thread.sleep(2500);                           // mid-turn, more than the socket's 2 s send queue in
            stt.lastSession().cut();
            speaking.get();
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));

            AgentHarness.await(() -> !h.cloudflare.chatCalls().isEmpty(), WAIT, "the answer");
            assertThat(stt.sessionCount(), is(2));
            assertThat(h.cloudflare.chatCalls().getLast().messages().getLast().get("content"),
                       is("Hi, I would like to book an appointment for next Tuesday."));
            assertThat("answered from the reopened socket, not batch", h.cloudflare.whisperCalls().size(), is(0));
            assertThat("the whole turn was replayed into the new socket", stt.sessions().get(1).audioBytes(),
                       greaterThan((long) clip("book_appointment").length));
            assertThat(metrics(h), containsString("voice_stt_reconnects_total"));
        }
    }

    @Test
    void aCallerSilentLongerThanTheVendorsIdleLimitKeepsTheSocket() throws Exception {
        try (AgentHarness h = AgentHarness.start(NOVA3)) {
            FakeStreamingStt stt = h.cloudflare.streaming();
            stt.idleTimeout(Duration.ofSeconds(2));
            stt.queueUtterances("My name is Jane Doe.");
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));
            Thread.sleep(3000);                           // silence on the line, longer than the idle limit
            caller.speak(clip("my_name"));
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            assertThat("one socket, never closed for idleness", stt.sessionCount(), is(1));
            assertThat(stt.lastSession().isOpen(), is(true));
            assertThat(h.cloudflare.whisperCalls().size(), is(0));
        }
    }

    @Test
    void theCallersTurnIsReadableThroughTheCallApiWhileTheReplyIsStillPlaying() throws Exception {
        try (AgentHarness h = AgentHarness.start(NOVA3)) {
            h.cloudflare.streaming().queueUtterances("My name is Jane Doe.");
            h.cloudflare.replier(call -> "Thank you Jane. Let me note that down for you. "
                                         + "I am writing it down now, it will take a moment. And a moment more.");
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));
            caller.speak(clip("my_name"));
            long firstAudio = caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT);
            assertThat(firstAudio, greaterThan(0L));

            HttpResponse<String> during = h.api("/calls/" + caller.callSid(), AgentHarness.ADMIN_KEY);
            assertThat(during.statusCode(), is(200));
            assertThat("the reply (several seconds of audio) is still playing", caller.awaitQuiet(Duration.ofMillis(300),
                                                                                                  Duration.ofMillis(10)), is(false));
            assertThat(during.body(), containsString("My name is Jane Doe."));
            assertThat(during.body(), containsString("\"role\":\"caller\""));
        }
    }

    private static String metrics(AgentHarness h) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(h.httpUri("/observe/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
