package dev.voiceagent.stt;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

import dev.voiceagent.audio.MuLaw;

/** Test helper: collects a stream's events with arrival times, and feeds it audio at a chosen pace. */
final class SpeechEvents implements Consumer<SpeechEvent> {

    /** An event and when it arrived ({@link System#nanoTime()}). */
    record Timed(SpeechEvent event, long atNanos) {
    }

    private final LinkedBlockingQueue<Timed> arrived = new LinkedBlockingQueue<>();
    private final List<Timed> seen = new ArrayList<>();

    @Override
    public void accept(SpeechEvent event) {
        arrived.add(new Timed(event, System.nanoTime()));
    }

    /** Waits for the first event (after those already taken) matching {@code test}; fails after {@code timeout}. */
    synchronized Timed await(Predicate<SpeechEvent> test, Duration timeout) throws InterruptedException {
        for (Timed timed : seen) {
            if (test.test(timed.event())) {
                return timed;
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Timed next = arrived.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (next == null) {
                throw new AssertionError("no matching event within " + timeout + "; got " + events());
            }
            seen.add(next);
            if (test.test(next.event())) {
                return next;
            }
        }
    }

    /** Every event so far, in order. */
    synchronized List<SpeechEvent> events() {
        arrived.drainTo(seen);
        return seen.stream().map(Timed::event).toList();
    }

    /** Every event of a type so far. */
    <T extends SpeechEvent> List<T> all(Class<T> type) {
        return events().stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Sends {@code mulaw} in 20 ms frames, one every {@code msPerFrame}; returns when the last frame was handed over. */
    static long feed(SpeechStream stream, byte[] mulaw, int msPerFrame) throws InterruptedException {
        for (int at = 0; at < mulaw.length; at += 160) {
            byte[] frame = new byte[Math.min(160, mulaw.length - at)];
            System.arraycopy(mulaw, at, frame, 0, frame.length);
            stream.audio(frame);
            Thread.sleep(msPerFrame);
        }
        return System.nanoTime();
    }

    /** {@code millis} of digital silence. */
    static byte[] silence(int millis) {
        byte[] bytes = new byte[millis * 8];
        java.util.Arrays.fill(bytes, MuLaw.SILENCE);
        return bytes;
    }
}
