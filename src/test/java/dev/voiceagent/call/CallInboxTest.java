package dev.voiceagent.call;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.helidon.metrics.api.Metrics;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.voiceagent.observe.CallMetrics;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

/**
 * A call thread's wait for its next input ends with the input, or with null once its deadline is less than a tick
 * away on the shared clock (moved by hand here), and a bounded inbox drops what does not fit.
 */
@org.junit.jupiter.api.Timeout(20)
class CallInboxTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final Ticker ticker = new Ticker(Duration.ofMillis(10), clock::get);
    private final CallInbox<String> inbox = new CallInbox<>(2, ticker, new CallMetrics(Metrics.globalRegistry()));

    @AfterEach
    void close() {
        ticker.close();
    }

    @Test
    void anInputEndsTheWaitAtOnce() throws Exception {
        Thread.ofVirtual().start(() -> {
            sleep(50);
            inbox.offer("start");
        });
        assertThat(inbox.poll(clock.get() + 60 * SECOND), is("start"));
        assertThat(ticker.pending(), is(0));
    }

    @Test
    void withNothingOfferedTheWaitEndsWhenTheDeadlineComesNear() throws Exception {
        long deadline = clock.get() + SECOND;
        Thread.ofVirtual().start(() -> {
            sleep(100);
            clock.addAndGet(SECOND);   // the clock reaches the deadline: the next tick ends the wait
        });
        assertThat(inbox.poll(deadline), is(nullValue()));
        assertThat(inbox.poll(clock.get() + 5_000_000), is(nullValue()));   // less than a tick away: no wait at all
    }

    @Test
    void anInputAlreadyWaitingIsReturnedEvenPastTheDeadline() throws Exception {
        inbox.offer("mark");
        assertThat(inbox.poll(clock.get() - SECOND), is("mark"));
    }

    @Test
    void aFullInboxDropsAndCounts() {
        inbox.offer("a");
        inbox.offer("b");
        inbox.offer("c");
        assertThat(inbox.dropped(), is(1L));
    }

    @Test
    void onceTheClockStoppedPollsWaitByThemselves() throws Exception {
        ticker.close();
        long start = System.nanoTime();
        assertThat(inbox.poll(clock.get() + TimeUnit.MILLISECONDS.toNanos(50)), is(nullValue()));
        assertThat(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(40), is(true));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
