package dev.voiceagent.vendor;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.webclient.api.ClientConnection;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * The watcher that times body reads on kept connections: a read that has waited longer than its limit when the
 * watcher looks has its connection closed and is marked expired; a read within its limit, or one that ended, is left
 * alone; the watcher thread ends when no read has been in progress for a while and comes back for the next one.
 * Reads are timed on a clock the test moves; the watcher looks in real time, every few milliseconds here.
 */
class ReadWatchTest {

    private static final Duration CHECK = Duration.ofMillis(5);
    private static final Duration LIMIT = Duration.ofSeconds(1);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void aReadWaitingLongerThanItsLimitHasItsConnectionClosedAndIsExpired() throws InterruptedException {
        ReadWatch watch = new ReadWatch("watch-expire", CHECK, now::get);
        StubConnection connection = new StubConnection();
        ReadWatch.Read read = watch.watch(connection, LIMIT);

        read.begin();
        now.addAndGet(LIMIT.toNanos() + 1);

        assertThat(awaitTrue(connection.closed, Duration.ofSeconds(5)), is(true));
        assertThat(read.expired(), is(true));
    }

    @Test
    void aReadWithinItsLimitIsLeftAlone() throws InterruptedException {
        ReadWatch watch = new ReadWatch("watch-within", CHECK, now::get);
        StubConnection connection = new StubConnection();
        ReadWatch.Read read = watch.watch(connection, LIMIT);

        read.begin();
        now.addAndGet(LIMIT.toNanos());   // exactly the limit: not over it
        Thread.sleep(CHECK.multipliedBy(20).toMillis());

        assertThat(connection.closed.get(), is(false));
        assertThat(read.expired(), is(false));
    }

    @Test
    void aLimitOfZeroWaitsForEverAsASocketTimeoutOfZeroDoes() throws InterruptedException {
        ReadWatch watch = new ReadWatch("watch-zero", CHECK, now::get);
        StubConnection connection = new StubConnection();
        ReadWatch.Read read = watch.watch(connection, Duration.ZERO);

        read.begin();
        now.addAndGet(Duration.ofDays(1).toNanos());
        Thread.sleep(CHECK.multipliedBy(20).toMillis());

        assertThat(connection.closed.get(), is(false));
        assertThat(read.expired(), is(false));
    }

    @Test
    void eachReadIsTimedFromItsOwnBeginningAndAReadThatEndedIsNeverExpired() throws InterruptedException {
        ReadWatch watch = new ReadWatch("watch-each", CHECK, now::get);
        StubConnection connection = new StubConnection();
        ReadWatch.Read read = watch.watch(connection, LIMIT);

        read.begin();
        now.addAndGet(LIMIT.toNanos() / 2);
        read.end();
        read.begin();                                  // the next read of the same body
        now.addAndGet(LIMIT.toNanos() / 2 + 1);        // over the limit counted from the first read, not this one
        Thread.sleep(CHECK.multipliedBy(20).toMillis());
        read.end();
        now.addAndGet(LIMIT.toNanos() * 10);           // between reads: the body is not being waited for
        Thread.sleep(CHECK.multipliedBy(20).toMillis());

        assertThat(connection.closed.get(), is(false));
        assertThat(read.expired(), is(false));
    }

    @Test
    void theWatcherThreadEndsWhenIdleAndComesBackForTheNextRead() throws InterruptedException {
        String name = "watch-lifecycle-" + System.nanoTime();
        ReadWatch watch = new ReadWatch(name, CHECK, Duration.ofMillis(50), now::get);
        ReadWatch.Read first = watch.watch(new StubConnection(), LIMIT);

        first.begin();
        assertThat(awaitThread(name, true), is(true));
        first.end();
        assertThat("ended after resting with no read", awaitThread(name, false), is(true));

        StubConnection connection = new StubConnection();
        ReadWatch.Read next = watch.watch(connection, LIMIT);
        next.begin();
        now.addAndGet(LIMIT.toNanos() + 1);

        assertThat(awaitTrue(connection.closed, Duration.ofSeconds(5)), is(true));
        assertThat(next.expired(), is(true));
    }

    @Test
    void theCheckIsAnEighthOfTheReadTimeoutWithinBoundsAndASecondWithNone() {
        assertThat(ReadWatch.checkFor(Duration.ofSeconds(4)), is(Duration.ofMillis(500)));
        assertThat(ReadWatch.checkFor(Duration.ofMillis(40)), is(Duration.ofMillis(25)));
        assertThat(ReadWatch.checkFor(Duration.ofSeconds(30)), is(Duration.ofSeconds(1)));
        assertThat(ReadWatch.checkFor(Duration.ZERO), is(Duration.ofSeconds(1)));
    }

    private static boolean awaitTrue(AtomicBoolean flag, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!flag.get() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        return flag.get();
    }

    private static boolean awaitThread(String name, boolean alive) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            boolean found = Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().equals(name) && t.isAlive());
            if (found == alive) {
                return true;
            }
            Thread.sleep(5);
        }
        return false;
    }

    /** A connection that only records being closed: the watcher touches nothing else. */
    private static final class StubConnection implements ClientConnection {

        final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public DataReader reader() {
            throw new UnsupportedOperationException();
        }

        @Override
        public DataWriter writer() {
            throw new UnsupportedOperationException();
        }

        @Override
        public String channelId() {
            return "stub";
        }

        @Override
        public HelidonSocket helidonSocket() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void readTimeout(Duration readTimeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void closeResource() {
            closed.set(true);
        }

        @Override
        public void releaseResource() {
            throw new UnsupportedOperationException();
        }
    }
}
