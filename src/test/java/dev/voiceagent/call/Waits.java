package dev.voiceagent.call;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition in the call package's unit tests, which need no server. */
final class Waits {

    private Waits() {
    }

    /** Polls {@code condition} every 5 ms; fails after 5 s. */
    static void until(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in 5 s");
            }
            Thread.sleep(5);
        }
    }
}
