package dev.voiceagent.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.persona.Stt;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;

/**
 * Benchmark, not a test: how soon {@code clear} goes out after a caller starts talking over the agent on a noisy
 * line (-30 dBFS white noise throughout the call, the caller's speech over it), with batch Whisper (the local
 * detector alone) and with live nova-3 (the local detector plus the recogniser's {@code SpeechStarted}). Latency is
 * from the caller's first word (300 ms into {@code speech_over_noise}) to the {@code clear} the emulator receives.
 *
 * <p>Run: {@code scripts/bench-barge-in.sh [barge-ins]} (default 10 per mode).
 */
public final class BargeInBenchmark {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final long FIRST_WORD_NANOS = Duration.ofMillis(300).toNanos();
    private static final String LONG_REPLY = "Thank you for calling, let me tell you about our opening hours in detail. "
            + "We open at eight in the morning on weekdays and close at six in the evening. "
            + "On Saturdays we open at nine and close at one, and on Sundays we are closed all day.";

    private BargeInBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        System.out.printf(Locale.ROOT, "barge-in over -30 dBFS line noise: %d per mode, interruptAfterMs 200%n", n);
        run("batch Whisper (local detector only)", AgentHarness.DEFAULT_PERSONAS, n);
        run("live nova-3 (local detector + SpeechStarted)", AgentHarness.streaming(AgentHarness.DEFAULT_PERSONAS, Stt.NOVA3), n);
        System.exit(0);
    }

    private static void run(String label, String personas, int n) throws Exception {
        try (AgentHarness h = AgentHarness.start(personas)) {
            h.cloudflare.streaming().speaker((session, turn) -> turn == 0 ? "My name is Jane Doe."
                                                                           : "Hi, | I would like to book an appointment.");
            h.cloudflare.transcriber(call -> "My name is Jane Doe.");
            h.cloudflare.replier(call -> LONG_REPLY);
            h.awaitWarm(4);
            byte[] noise = clip("line_noise");
            List<Long> clearMs = new ArrayList<>();
            int missed = 0;
            for (int i = 0; i < n; i++) {
                try (FakeTwilioCaller caller = h.call()) {
                    caller.lineAudio(noise);
                    caller.awaitQuiet(Duration.ofMillis(700), WAIT);
                    caller.speak(clip("my_name"));
                    if (caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT) <= 0) {
                        missed++;
                        continue;
                    }
                    Thread.sleep(1500);                   // the agent is mid-sentence
                    int clears = caller.clearCount();
                    long started = System.nanoTime();
                    caller.speakAsync(clip("speech_over_noise"));
                    long deadline = System.nanoTime() + WAIT.toNanos();
                    while (caller.clearCount() == clears && System.nanoTime() < deadline) {
                        Thread.sleep(2);
                    }
                    if (caller.clearCount() == clears) {
                        missed++;
                    } else {
                        clearMs.add((caller.clearReceivedNanos() - started - FIRST_WORD_NANOS) / 1_000_000);
                    }
                    caller.stop();
                }
            }
            Collections.sort(clearMs);
            System.out.printf(Locale.ROOT, "%s: clear after the first word, ms: p50 %d, min %d, max %d (n=%d, no clear %d)%n",
                              label, clearMs.isEmpty() ? -1 : clearMs.get((clearMs.size() - 1) / 2),
                              clearMs.isEmpty() ? -1 : clearMs.getFirst(), clearMs.isEmpty() ? -1 : clearMs.getLast(),
                              clearMs.size(), missed);
        }
    }
}
