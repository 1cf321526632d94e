package dev.voiceagent.vendor;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import io.helidon.webclient.api.ClientConnection;

/**
 * The read timeout of requests on kept connections, kept by one watcher thread instead of by the socket.
 * <p>
 * Why: a socket read timeout makes every read that waits a timed wait, and a virtual thread's timed wait goes through
 * the JDK's delay scheduler, a platform thread woken when the wait starts, when it is cancelled and when it expires.
 * A streamed answer waits once per piece (a model's token, a chunk of speech), so with 200 talking calls that thread
 * alone made about 2,600 futex calls a second (loadtest/README.md, "Reads without a
 * socket timeout"). Here a read waits untimed; the watcher looks at the waits in progress every {@code check} and
 * closes the connection of one that has waited longer than its limit, which ends the wait with an error that
 * {@link Read#expired()} then names a timeout. A {@link Read} is one request's wait for its answer's head, or one
 * body's reads.
 * <p>
 * Contract: a read is timed from {@link Read#begin()} to {@link Read#end()}, as a socket timeout times each read; it
 * is ended at most {@code check} (plus scheduling) after its limit. The watcher parks without ticking while no read
 * is in progress (an idle server costs nothing) and ends after {@link #IDLE_EXIT} of that; the first read to begin
 * then wakes or starts it, at most once per {@code check}. Thread-safe; a {@link Read} belongs to the one thread
 * reading its body.
 */
final class ReadWatch {

    /** How long the watcher rests with no read in progress before it ends (the next read starts a new one). */
    static final Duration IDLE_EXIT = Duration.ofSeconds(30);

    /**
     * How often the watcher looks, for a client whose read timeout is {@code limit}: an eighth of it, 25 ms to 1 s (1 s
     * for no limit).
     */
    static Duration checkFor(Duration limit) {
        if (!limit.isPositive()) {
            return Duration.ofSeconds(1);   // no limit: nothing to look for but a request's own shorter one
        }
        long eighth = limit.toNanos() / 8;
        return Duration.ofNanos(Math.clamp(eighth, Duration.ofMillis(25).toNanos(), Duration.ofSeconds(1).toNanos()));
    }

    private final String name;
    private final long checkNanos;
    private final long idleExitNanos;
    private final LongSupplier nanoClock;
    private final Set<Read> inProgress = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    private volatile Thread watcher;
    /** The watcher parked untimed because no read was in progress; the next {@link Read#begin()} unparks it. */
    private volatile boolean resting;

    /** A watch whose watcher ends after {@link #IDLE_EXIT} with no read in progress. */
    ReadWatch(String name, Duration check, LongSupplier nanoClock) {
        this(name, check, IDLE_EXIT, nanoClock);
    }

    /**
     * @param name      the watcher thread's name
     * @param check     how often the watcher looks at the reads in progress
     * @param idleExit  how long the watcher rests with no read in progress before it ends
     * @param nanoClock the monotonic clock (ns) reads are timed on; the watcher's own rests are in real time
     */
    ReadWatch(String name, Duration check, Duration idleExit, LongSupplier nanoClock) {
        this.name = Objects.requireNonNull(name, "name");
        this.checkNanos = check.toNanos();
        this.idleExitNanos = idleExit.toNanos();
        if (checkNanos <= 0 || idleExitNanos <= 0) {
            throw new IllegalArgumentException("check and idleExit must be positive: " + check + ", " + idleExit);
        }
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /**
     * Watches the waits of one request's head or body on {@code connection}, each allowed to wait {@code limit}; a
     * limit of zero waits for ever, as a socket read timeout of zero does.
     */
    Read watch(ClientConnection connection, Duration limit) {
        return new Read(Objects.requireNonNull(connection, "connection"), limit.toNanos());
    }

    /** The waits for one request's head or body: {@link #begin()} before each, {@link #end()} after, on one thread. */
    final class Read {

        private final ClientConnection connection;
        private final long limitNanos;
        private volatile long since;
        private volatile boolean expired;

        private Read(ClientConnection connection, long limitNanos) {
            this.connection = connection;
            this.limitNanos = limitNanos;
        }

        void begin() {
            since = nanoClock.getAsLong();
            inProgress.add(this);
            wakeWatcher();
        }

        void end() {
            inProgress.remove(this);
        }

        /** Whether the watcher ended a wait (closing the connection) because it lasted longer than the limit. */
        boolean expired() {
            return expired;
        }

        /** The longest a read may wait. */
        Duration limit() {
            return Duration.ofNanos(limitNanos);
        }

        private void expireIfLate(long now) {
            if (limitNanos > 0 && now - since > limitNanos && inProgress.contains(this)) {   // 0: no limit
                expired = true;
                inProgress.remove(this);
                // The blocked read then fails, and Helidon never reuses a closed connection. On a thread of its own:
                // a TLS close waits for a write in progress (the record lock), and the watcher must never wait.
                Thread.ofVirtual().name(name + "-close").start(connection::closeResource);
            }
        }
    }

    /** Starts the watcher, or wakes it if it rests. Takes the lock only then: once per rest, not per read. */
    private void wakeWatcher() {
        if (resting || watcher == null) {
            synchronized (lock) {
                if (watcher == null) {
                    resting = false;
                    watcher = Thread.ofPlatform().daemon().name(name).start(this::run);
                } else if (resting) {
                    resting = false;
                    LockSupport.unpark(watcher);
                }
            }
        }
    }

    /**
     * Looks every {@code check} while reads are in progress; rests while none is, until a read begins or
     * {@code idleExit} passes; ends after resting that long with none, so an unused client keeps no thread. It
     * decides to end under the lock with {@code resting} still set, so a read that begins meanwhile either is seen or
     * sees it must start a new watcher.
     */
    private void run() {
        long restingSince = 0;
        while (true) {
            if (inProgress.isEmpty()) {
                long now = System.nanoTime();
                if (restingSince == 0) {
                    restingSince = now;
                }
                resting = true;
                if (inProgress.isEmpty()) {   // a read that began before `resting` was set did not wake us: look again
                    LockSupport.parkNanos(this, idleExitNanos - (now - restingSince));
                }
                synchronized (lock) {
                    if (inProgress.isEmpty() && System.nanoTime() - restingSince >= idleExitNanos) {
                        watcher = null;
                        return;
                    }
                    resting = false;
                }
                continue;
            }
            restingSince = 0;
            LockSupport.parkNanos(this, checkNanos);
            long now = nanoClock.getAsLong();
            for (Read read : inProgress) {
                read.expireIfLate(now);
            }
        }
    }
}
