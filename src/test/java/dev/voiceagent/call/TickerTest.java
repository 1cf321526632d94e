package dev.voiceagent.call;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The shared clock ends each wait in the last tick before its deadline, never later, and wakes the waits that are
 * due together. The clock it reads is moved by hand here, so what is due is decided by the test, not by timing.
 */
class TickerTest {

    private static final long TICK = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final Ticker ticker = new Ticker(Duration.ofNanos(TICK), clock::get);

    @AfterEach
    void close() {
        ticker.close();
    }

    @Test
    void aSleepLastsUntilItsDeadlineIsLessThanATickAway() throws Exception {
        Thread sleeper = Thread.ofVirtual().start(() -> uninterruptibly(() -> ticker.sleep(SECOND)));
        Waits.until(() -> ticker.pending() == 1);

        clock.addAndGet(SECOND - TICK - 1);   // still more than a tick left
        assertThat(sleeper.join(Duration.ofMillis(100)), is(false));

        clock.addAndGet(1);                   // a tick left: the next tick ends it rather than leave it late
        assertThat(sleeper.join(Duration.ofSeconds(5)), is(true));
        assertThat(ticker.pending(), is(0));
    }

    @Test
    void aSleepOfATickOrLessReturnsAtOnce() throws Exception {
        Thread sleeper = Thread.ofVirtual().start(() -> uninterruptibly(() -> ticker.sleep(TICK)));
        assertThat(sleeper.join(Duration.ofSeconds(5)), is(true));
        assertThat(ticker.pending(), is(0));
    }

    @Test
    void waitsDueInTheSameTickEndTogether() throws Exception {
        CountDownLatch woken = new CountDownLatch(50);
        for (int i = 0; i < 50; i++) {
            long deadline = clock.get() + SECOND + i * 1000L;   // within a microsecond of each other
            Thread.ofVirtual().start(() -> {
                uninterruptibly(() -> ticker.sleepUntil(deadline));
                woken.countDown();
            });
        }
        Waits.until(() -> ticker.pending() == 50);
        clock.addAndGet(SECOND);
        assertThat(woken.await(5, TimeUnit.SECONDS), is(true));
    }

    @Test
    void aWakeUpRunsOnceWhenDueAndNotAfterItIsCancelled() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        ticker.wakeAt(clock.get() + SECOND, runs::incrementAndGet);
        Object cancelled = ticker.wakeAt(clock.get() + SECOND, () -> runs.addAndGet(100));
        ticker.cancel(cancelled);

        clock.addAndGet(2 * SECOND);
        Waits.until(() -> ticker.pending() == 0);
        Thread.sleep(50);   // several ticks more: still once
        assertThat(runs.get(), is(1));
    }

    @Test
    void aParkEndsInTheLastTickBeforeItsDeadline() throws Exception {
        Thread parked = Thread.ofVirtual().start(() -> ticker.parkUntil(clock.get() + SECOND));
        Waits.until(() -> ticker.pending() == 1);

        clock.addAndGet(SECOND - TICK - 1);
        assertThat(parked.join(Duration.ofMillis(100)), is(false));

        clock.addAndGet(1);
        assertThat(parked.join(Duration.ofSeconds(5)), is(true));
        assertThat(ticker.pending(), is(0));
    }

    @Test
    void aParkEndsAtOnceWhenTheThreadIsUnparked() throws Exception {
        Thread parked = Thread.ofVirtual().start(() -> ticker.parkUntil(clock.get() + SECOND));
        Waits.until(() -> ticker.pending() == 1);

        LockSupport.unpark(parked);   // new work for it: no waiting for the clock
        assertThat(parked.join(Duration.ofSeconds(5)), is(true));
        assertThat(ticker.pending(), is(0));
    }

    @Test
    void afterCloseAParkEndsByItsOwnDeadline() throws Exception {
        Ticker real = new Ticker(Duration.ofNanos(TICK), System::nanoTime);
        real.close();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(30);
        Thread parked = Thread.ofVirtual().start(() -> real.parkUntil(deadline));
        assertThat(parked.join(Duration.ofSeconds(5)), is(true));   // no clock to end it: its own timed park does
        assertThat(real.pending(), is(0));
    }

    @Test
    void aSleepIsInterruptible() throws Exception {
        AtomicInteger interrupted = new AtomicInteger();
        Thread sleeper = Thread.ofVirtual().start(() -> {
            try {
                ticker.sleep(SECOND);
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
            }
        });
        Waits.until(() -> ticker.pending() == 1);
        sleeper.interrupt();
        assertThat(sleeper.join(Duration.ofSeconds(5)), is(true));
        assertThat(interrupted.get(), is(1));
        assertThat(ticker.pending(), is(0));
    }

    @Test
    void afterCloseSleepsEndByTheirOwnDeadlineAndWakeUpsRunAtOnce() throws Exception {
        Ticker real = new Ticker(Duration.ofNanos(TICK), System::nanoTime);
        Thread sleeper = Thread.ofVirtual().start(() -> uninterruptibly(() -> real.sleep(TimeUnit.MILLISECONDS.toNanos(300))));
        Waits.until(() -> real.pending() == 1);
        real.close();
        assertThat(sleeper.join(Duration.ofSeconds(5)), is(true));

        AtomicInteger runs = new AtomicInteger();
        real.wakeAt(System.nanoTime() + SECOND, runs::incrementAndGet);
        assertThat(runs.get(), is(1));
        assertThat(real.running(), is(false));
    }

    @Test
    void aPositiveTickIsRequired() {
        assertThrows(IllegalArgumentException.class, () -> new Ticker(Duration.ZERO, System::nanoTime));
    }

    private interface Sleep {
        void run() throws InterruptedException;
    }

    private static void uninterruptibly(Sleep sleep) {
        try {
            sleep.run();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
