package dev.voiceagent.loadtest;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Base64;
import java.util.Random;

import dev.voiceagent.twilio.MalformedFrameException;
import dev.voiceagent.twilio.MediaStreamCodec;
import dev.voiceagent.twilio.StreamEvent;

/**
 * The CPU one inbound {@code media} frame costs the server's codec ({@link MediaStreamCodec#decode}), measured as this
 * thread's own CPU time ({@link ThreadMXBean#getCurrentThreadCpuTime()}), not wall-clock, so other work on a shared
 * machine barely moves it. Uses only the codec's public API, so the same class can be run against two server builds:
 *
 * <pre>
 *   java -cp target/test-classes:target/voice-agent.jar dev.voiceagent.loadtest.FrameDecodeCost
 *   java -cp target/test-classes:/path/to/other/voice-agent.jar dev.voiceagent.loadtest.FrameDecodeCost
 * </pre>
 *
 * A warm-up of {@code WARMUP} frames [2,000,000] (so the JIT has compiled the path), then {@code ROUNDS} [5] rounds
 * of {@code FRAMES} [2,000,000] frames; prints ns of CPU per frame for each round and the best. Frames are Twilio's
 * documented shape with 160 bytes of random mu-law, a few hundred distinct ones cycled.
 */
public final class FrameDecodeCost {

    private FrameDecodeCost() {
    }

    public static void main(String[] args) throws MalformedFrameException {
        int warmup = envInt("WARMUP", 2_000_000);
        int frames = envInt("FRAMES", 2_000_000);
        int rounds = envInt("ROUNDS", 5);
        String[] texts = frames(256);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sink = run(texts, warmup);
        double best = Double.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            long cpu = threads.getCurrentThreadCpuTime();
            sink += run(texts, frames);
            double nsPerFrame = (double) (threads.getCurrentThreadCpuTime() - cpu) / frames;
            best = Math.min(best, nsPerFrame);
            System.out.printf("round %d: %.0f ns of CPU per media frame%n", r + 1, nsPerFrame);
        }
        System.out.printf("best: %.0f ns per frame = %.3f ms of CPU per second of a call (50 frames/s) (checksum %d)%n",
                          best, best * 50 / 1e6, sink);
    }

    private static long run(String[] texts, int frames) throws MalformedFrameException {
        long sum = 0;
        for (int i = 0; i < frames; i++) {
            StreamEvent event = MediaStreamCodec.decode(texts[i & (texts.length - 1)]);
            sum += ((StreamEvent.Media) event).payload()[i & 127];
        }
        return sum;
    }

    private static String[] frames(int count) {
        Random random = new Random(1);
        String[] texts = new String[count];
        byte[] audio = new byte[160];
        for (int i = 0; i < count; i++) {
            random.nextBytes(audio);
            texts[i] = "{\"event\":\"media\",\"sequenceNumber\":\"" + (i + 2) + "\",\"media\":{\"track\":\"inbound\","
                    + "\"chunk\":\"" + (i + 1) + "\",\"timestamp\":\"" + (i * 20) + "\",\"payload\":\""
                    + Base64.getEncoder().encodeToString(audio) + "\"},\"streamSid\":\"MZ18ad3ab5a668481ce02b83e7395059f0\"}";
        }
        return texts;
    }

    private static int envInt(String name, int fallback) {
        String raw = System.getenv(name);
        return raw == null || raw.isBlank() ? fallback : Integer.parseInt(raw.strip());
    }
}
