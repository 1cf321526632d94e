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

import dev.voiceagent.fakes.FakeTwilioCaller;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;

/**
 * Benchmark, not a test: voice-to-voice latency (the caller's last speech frame to the first agent audio
 * frame, as the Twilio emulator sees it) over scripted multi-turn calls, with speculation off and on, against
 * the real server and vendor fakes with realistic latencies. Prints percentiles, the extra vendor requests
 * speculation cost per turn, and whether any turn was split.
 *
 * <p>Run: {@code scripts/bench-voice-to-voice.sh [calls] [turns] [speculateAfterMs]} (defaults 1 call, 8 turns,
 * 200 ms).
 */
public final class VoiceToVoiceBenchmark {

    private static final String[] CLIPS = {"book_appointment", "my_name", "pause_mid_sentence", "yes_thanks"};
    private static final Duration WAIT = Duration.ofSeconds(20);

    private VoiceToVoiceBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int turns = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int after = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        System.out.printf(Locale.ROOT, "vendor fakes: STT 350 ms, LLM first token 300 ms (+15 ms/token), TTS first byte 200 ms;"
                          + " end of turn 600 ms; %d call(s) x %d turns%n", calls, turns);
        run("speculation off", AgentHarness.DEFAULT_PERSONAS, calls, turns);
        run("speculation on (after " + after + " ms)",
            AgentHarness.speculating("afterMs: " + after + ", maxPerTurn: 2, endOfTurnMinMs: 500, endOfTurnMaxMs: 1000"),
            calls, turns);
        System.exit(0);
    }

    private static void run(String label, String personas, int calls, int turns) throws Exception {
        try (AgentHarness h = AgentHarness.start(personas);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            h.cloudflare.whisperLatency(Duration.ofMillis(350));
            h.cloudflare.firstTokenLatency(Duration.ofMillis(300));
            h.cloudflare.tokenInterval(Duration.ofMillis(15));
            h.elevenLabs.firstByteLatency(Duration.ofMillis(200));
            h.cloudflare.transcriber(call -> "I would like to book an appointment for next Tuesday morning.");
            h.cloudflare.replier(call -> "Sure, I can help with that. What time on Tuesday works best for you?");
            h.awaitWarm(4);
            HttpClient shared = HttpClient.newHttpClient();
            double answersBefore = metric(h, "voice_turns_total");
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int c = 0; c < calls; c++) {
                int offset = c;
                results.add(pool.submit(() -> oneCall(h, shared, turns, offset)));
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
                              + " | per turn: STT requests %.2f, LLM requests %.2f | split turns %d%n",
                              label, answered, failed, pct(v2v, 50), pct(v2v, 90), pct(v2v, 99),
                              v2v.isEmpty() ? -1 : v2v.getLast(),
                              h.cloudflare.requestCount(dev.voiceagent.fakes.FakeCloudflare.WHISPER) / (double) answered,
                              // The LLM route also serves the after-call extraction (JSON mode): not a turn's cost.
                              (h.cloudflare.requestCount(dev.voiceagent.fakes.FakeCloudflare.LLM)
                               - h.cloudflare.jsonModeCalls().size()) / (double) answered,
                              Math.max(0, answers - answered));
        }
    }

    /** A counter from the server's own metrics: more answered turns than spoken ones would mean a split. */
    private static double metric(AgentHarness h, String name) throws Exception {
        String body = HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(h.httpUri("/observe/metrics")).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + "\\{[^}]*} ([0-9.E]+)").matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static List<Long> oneCall(AgentHarness h, HttpClient shared, int turns, int offset) throws Exception {
        List<Long> v2v = new ArrayList<>();
        try (FakeTwilioCaller caller = h.call(shared)) {
            if (!caller.awaitQuiet(Duration.ofMillis(700), WAIT)) {
                throw new IllegalStateException("no greeting");
            }
            for (int t = 0; t < turns; t++) {
                caller.speak(clip(CLIPS[(t + offset) % CLIPS.length]));
                long spoke = caller.lastSpeechFrameNanos();
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
