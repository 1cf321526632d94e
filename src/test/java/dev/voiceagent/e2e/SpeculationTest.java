package dev.voiceagent.e2e;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.voiceagent.audio.MuLaw;
import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeTwilioCaller;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/**
 * Speculative transcription and preemptive generation: work starts at the caller's first pause, is held
 * until the turn is known to be over, and nothing speculative is ever played or stored unless confirmed.
 */
class SpeculationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration QUIET = Duration.ofMillis(700);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aConfirmedSpeculationIsUsedWithoutASecondTranscription() throws Exception {
        try (AgentHarness h = AgentHarness.start(AgentHarness.speculating("afterMs: 200"))) {
            h.cloudflare.whisperLatency(Duration.ofMillis(150));
            h.cloudflare.transcriber(call -> "My name is Jane Doe.");
            h.cloudflare.replier(call -> "Nice to meet you, Jane.");
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
            double used = counter(h, "voice_speculations_total", "used");
            long before = caller.playedAudioBytes();
            byte[] speech = clip("my_name");
            caller.speak(speech);
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));

            List<FakeCloudflare.WhisperCall> stt = h.cloudflare.whisperCalls();
            assertThat("no second transcription", stt.size(), is(1));
            int clipMs = speech.length / 8;
            // Sent during the pause, long before the end-of-turn wait ran out.
            assertThat(stt.getFirst().audioMillis(), allOf(greaterThanOrEqualTo(clipMs), lessThan(clipMs + 300 + 400)));
            assertThat(h.cloudflare.chatCalls().size(), is(1));
            assertThat(caller.playedAudioBytes() - before,
                       greaterThanOrEqualTo(8L * h.elevenLabs.audioMillisFor("Nice to meet you, Jane.") - 160));
            AgentHarness.await(() -> counter(h, "voice_speculations_total", "used") > used, WAIT, "the metric");
        }
    }

    @Test
    void aSpeculationInvalidatedByTheCallerContinuingIsNeverPlayedHeardOrStored() throws Exception {
        try (AgentHarness h = AgentHarness.start(AgentHarness.speculating("afterMs: 200"))) {
            h.cloudflare.whisperLatency(Duration.ZERO);
            h.cloudflare.transcriber(call -> call.audioMillis() < 2500
                    ? "I need a plumber." : "I need a plumber to fix a leaking pipe in my kitchen.");
            h.cloudflare.replier(call -> call.messages().getLast().get("content").contains("kitchen")
                    ? "Final answer." : "Speculative answer that must never be heard by the caller.");
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
            double discarded = counter(h, "voice_speculations_total", "discarded");
            long before = caller.playedAudioBytes();
            caller.speak(clip("pause_mid_sentence"));
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));

            assertThat("one speculation at the pause, one at the end", h.cloudflare.whisperCalls().size(), is(2));
            assertThat("the speculative answer was generated", h.cloudflare.chatCalls().size(), is(2));
            long played = caller.playedAudioBytes() - before;
            assertThat("only the final answer played", played,
                       allOf(greaterThanOrEqualTo(8L * h.elevenLabs.audioMillisFor("Final answer.") - 160),
                             lessThanOrEqualTo(8L * h.elevenLabs.audioMillisFor("Final answer.") + 160)));
            assertThat(counter(h, "voice_speculations_total", "discarded"), greaterThan(discarded));

            // Nor is it stored: the next turn's history has the final exchange only.
            h.cloudflare.replier(call -> "Okay.");
            caller.speak(clip("my_name"));
            AgentHarness.await(() -> h.cloudflare.chatCalls().size() >= 3, WAIT, "the next turn");
            String history = h.cloudflare.chatCalls().getLast().messages().toString();
            assertThat(history.contains("Speculative answer"), is(false));
            assertThat(history.contains("Final answer."), is(true));
            assertThat(history.contains("leaking pipe in my kitchen"), is(true));
            String stored = h.awaitStoredCall(caller.callSid(), d -> d.turns().size() >= 3, "turns stored")
                    .turns().toString();
            assertThat(stored.contains("Speculative answer"), is(false));
            assertThat(stored.contains("Final answer."), is(true));
        }
    }

    @Test
    void aFinalTranscriptThatDiffersFromTheSpeculativeOneRegeneratesTheReply() throws Exception {
        try (AgentHarness h = AgentHarness.start(AgentHarness.speculating("afterMs: 200"))) {
            h.cloudflare.whisperLatency(Duration.ofMillis(50));
            byte[] speech = clip("my_name");
            int speechMs = speech.length / 8;
            h.cloudflare.transcriber(call -> call.audioMillis() < speechMs + 300 + 300
                    ? "My name is Jane Doe." : "My name is Jane Doe, bye.");
            h.cloudflare.replier(call -> call.messages().getLast().get("content").contains("bye")
                    ? "Regenerated answer for Jane, which is a good deal longer than the other one."
                    : "Held answer.");
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
            long before = caller.playedAudioBytes();
            caller.speak(speech);
            Thread.sleep(300);            // the speculation starts at 200 ms of silence
            caller.speak(blip(60));       // a little more sound: too short to be "going on", but the audio changed
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));

            assertThat("the whole turn was transcribed again", h.cloudflare.whisperCalls().size(), is(2));
            assertThat("and the answer regenerated", h.cloudflare.chatCalls().size(), is(2));
            String regenerated = "Regenerated answer for Jane, which is a good deal longer than the other one.";
            assertThat(caller.playedAudioBytes() - before,
                       allOf(greaterThanOrEqualTo(8L * h.elevenLabs.audioMillisFor(regenerated) - 160),
                             lessThanOrEqualTo(8L * h.elevenLabs.audioMillisFor(regenerated) + 160)));
        }
    }

    @Test
    void speculationsPerTurnAreBounded() throws Exception {
        try (AgentHarness h = AgentHarness.start(AgentHarness.speculating("afterMs: 200, maxPerTurn: 1"))) {
            h.cloudflare.transcriber(call -> "I need a plumber to fix a leaking pipe in my kitchen.");
            h.cloudflare.replier(call -> "On our way.");
            FakeTwilioCaller caller = h.call();
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
            caller.speak(clip("pause_mid_sentence"));
            assertThat(caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT), greaterThan(0L));
            assertThat(caller.awaitQuiet(QUIET, WAIT), is(true));
            // One speculation (at the mid-sentence pause, then given up), none at the end: the budget is spent,
            // so the end of the turn is transcribed the plain way.
            assertThat(h.cloudflare.whisperCalls().size(), is(2));
            assertThat(h.cloudflare.whisperCalls().getLast().audioMillis(),
                       greaterThanOrEqualTo(clip("pause_mid_sentence").length / 8 + 500));
        }
    }

    /** A short tone burst: sound that is speech to the detector but not words. */
    private static byte[] blip(int millis) {
        byte[] b = new byte[8 * millis];
        for (int i = 0; i < b.length; i++) {
            b[i] = MuLaw.encode((int) (8000 * Math.sin(2 * Math.PI * 300 * i / 8000.0)));
        }
        return b;
    }

    private double counter(AgentHarness h, String name, String outcome) {
        try {
            String body = http.send(HttpRequest.newBuilder(h.httpUri("/observe/metrics")).GET().build(),
                                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*outcome=\"" + outcome + "\"[^}]*} ([0-9.E]+)").matcher(body);
            return m.find() ? Double.parseDouble(m.group(1)) : 0;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

}
