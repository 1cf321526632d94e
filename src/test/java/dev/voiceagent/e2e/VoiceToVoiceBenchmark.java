package dev.voiceagent.e2e;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.persona.Stt;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;

/**
 * Benchmark, not a test: voice-to-voice latency (the caller's last speech frame to the first agent audio frame,
 * as the Twilio emulator sees it) over scripted multi-turn calls against the real server and vendor fakes with
 * realistic latencies: batch Whisper (350 ms) with speculation after 200 ms, and live nova-3 transcription
 * (interim words 150 ms behind the audio, final words 75 ms after {@code Finalize}) with speculation at the first
 * 100 ms pause. Prints percentiles, vendor requests per answered turn, split turns (more answers than turns
 * spoken) and overlaps (agent audio before the caller's last speech frame of a turn).
 *
 * <p>Run: {@code scripts/bench-voice-to-voice.sh [calls] [turns] [modes]} (defaults 1 call, 10 turns, modes
 * {@code batch,nova3}).
 */
public final class VoiceToVoiceBenchmark {

    /** Clips in each call's order, with the words the fake recogniser says for each of its turns in them. */
    private record Line(String clip, List<String> streamedTurns) {
    }

    /**
     * The fake recogniser ends a turn where Deepgram marks {@code speech_final} (300 ms of silence), so the
     * 450 ms and 352 ms pauses give it two turns of words; shorter pauses are segments of one ({@code |}).
     */
    private static final List<Line> LINES = List.of(
            new Line("book_appointment", List.of("Hi, | I would like to book an appointment for next Tuesday.")),
            new Line("my_name", List.of("My name is Jane Doe.")),
            new Line("pause_mid_sentence", List.of("I need a plumber", "to fix a leaking pipe in my kitchen.")),
            new Line("yes_thanks", List.of("Yes, | that works.", "Thank you.")),
            new Line("two_pauses", List.of("I was hoping | to move my appointment | to Friday afternoon.")));
    private static final Duration WAIT = Duration.ofSeconds(20);

    private VoiceToVoiceBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int turns = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        List<String> modes = List.of((args.length > 2 ? args[2] : "batch,nova3").split(","));
        System.out.printf(Locale.ROOT, "vendor fakes: Whisper 350 ms | nova-3: interims 150 ms behind, Finalize answered in 75 ms"
                          + " | LLM first token 300 ms (+15 ms/token) | TTS first byte 200 ms | end of turn 600 ms"
                          + " (adaptive 500..1000) | %d call(s) x %d turns, clips cycling %s%n",
                          calls, turns, LINES.stream().map(Line::clip).toList());
        String settings = "maxPerTurn: 2, endOfTurnMinMs: 500, endOfTurnMaxMs: 1000";
        if (modes.contains("batch")) {
            run("batch Whisper, speculation after 200 ms", AgentHarness.speculating("afterMs: 200, " + settings), calls, turns);
        }
        if (modes.contains("nova3")) {
            run("live nova-3, speculation after 100 ms",
                AgentHarness.streaming(AgentHarness.speculating("afterMs: 100, " + settings), Stt.NOVA3), calls, turns);
        }
        System.exit(0);
    }

    private static void run(String label, String personas, int calls, int turns) throws Exception {
        try (AgentHarness h = AgentHarness.start(personas);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            h.cloudflare.streaming().recording(false);
            h.cloudflare.whisperLatency(Duration.ofMillis(350));
            h.cloudflare.firstTokenLatency(Duration.ofMillis(300));
            h.cloudflare.tokenInterval(Duration.ofMillis(15));
            h.elevenLabs.firstByteLatency(Duration.ofMillis(200));
            h.cloudflare.transcriber(call -> "I would like to book an appointment for next Tuesday morning.");
            h.cloudflare.replier(call -> "Sure, I can help with that. What time on Tuesday works best for you?");
            List<String> streamed = new ArrayList<>();
            for (int t = 0; t < turns; t++) {
                streamed.addAll(LINES.get(t % LINES.size()).streamedTurns());
            }
            h.cloudflare.streaming().speaker((session, index) -> index < streamed.size() ? streamed.get(index) : "");
            h.awaitWarm(4);
            HttpClient shared = HttpClient.newHttpClient();
            double answersBefore = metric(h, "voice_turns_total");
            AtomicInteger overlaps = new AtomicInteger();
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int c = 0; c < calls; c++) {
                results.add(pool.submit(() -> oneCall(h, shared, turns, overlaps)));
                Thread.sleep(20);
            }
            List<Long> v2v = new ArrayList<>();
            int failed = 0;
            for (Future<List<Long>> r : results) {
                try {
                    v2v.addAll(r.get());
                } catch (Exception e) {
                    failed++;
                }
            }
            Collections.sort(v2v);
            int answered = v2v.size();
            long answers = Math.round(metric(h, "voice_turns_total") - answersBefore);
            System.out.printf(Locale.ROOT, "%s: turns %d, failed calls %d | voice-to-voice ms p50 %d p90 %d p99 %d max %d"
                              + " | per turn: Whisper requests %.2f, LLM requests %.2f, Finalize %.2f | split turns %d,"
                              + " agent audio over the caller %d%n",
                              label, answered, failed, pct(v2v, 50), pct(v2v, 90), pct(v2v, 99),
                              v2v.isEmpty() ? -1 : v2v.getLast(),
                              h.cloudflare.requestCount(FakeCloudflare.WHISPER) / (double) answered,
                              // The LLM route also serves the after-call extraction (JSON mode): not a turn's cost.
                              (h.cloudflare.requestCount(FakeCloudflare.LLM) - h.cloudflare.jsonModeCalls().size())
                              / (double) answered,
                              metric(h, "voice_stt_finalizes_total") / answered,
                              Math.max(0, answers - answered), overlaps.get());
        }
    }

    /** A counter from the server's own metrics (summed over its tags). */
    private static double metric(AgentHarness h, String name) throws Exception {
        String body = HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(h.httpUri("/observe/metrics")).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.E]+)").matcher(body);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(2));
        }
        return sum;
    }

    private static List<Long> oneCall(AgentHarness h, HttpClient shared, int turns, AtomicInteger overlaps) throws Exception {
        List<Long> v2v = new ArrayList<>();
        try (FakeTwilioCaller caller = h.call(shared)) {
            if (!caller.awaitQuiet(Duration.ofMillis(700), WAIT)) {
                throw new IllegalStateException("no greeting");
            }
            for (int t = 0; t < turns; t++) {
                long started = System.nanoTime();
                caller.speak(clip(LINES.get(t % LINES.size()).clip()));
                long spoke = caller.lastSpeechFrameNanos();
                long early = caller.firstAudioNanosAfter(started);
                if (early > 0 && early < spoke) {
                    overlaps.incrementAndGet();
                }
                long audio = caller.awaitAudioAfter(spoke, WAIT);
                if (audio <= 0) {
                    throw new IllegalStateException("no answer");
                }
                v2v.add((audio - spoke) / 1_000_000);
                caller.awaitQuiet(Duration.ofMillis(500), WAIT);
            }
            caller.stop();
        }
        return v2v;
    }

    private static long pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
