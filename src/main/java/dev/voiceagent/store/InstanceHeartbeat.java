package dev.voiceagent.store;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps this instance known to the others and takes over from the ones that are gone: one background virtual thread
 * that, every {@code interval}, {@linkplain Instances#heartbeat() heartbeats} and then
 * {@linkplain Instances#takeOver takes over} from instances not heard from for {@code deadAfter}. So the calls of an
 * instance killed mid-call are marked abandoned and queued for the CRM within about {@code deadAfter + interval},
 * by whichever instance looks first, exactly once.
 * <p>
 * A database outage only pauses the loop (logged once; it resumes when the database is back). A heartbeat that
 * resumes after more than {@code deadAfter} is logged as a warning: other instances may have taken this one's calls
 * over meanwhile. {@link #close} stops the loop (bounded) and marks the instance stopped, so the others do not wait
 * for it to go stale.
 */
public final class InstanceHeartbeat implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(InstanceHeartbeat.class.getName());
    /** Instances gone this long (and owning no call in progress) are removed from the table. */
    private static final Duration FORGET_AFTER = Duration.ofDays(1);
    private static final Duration JOIN_WAIT = Duration.ofSeconds(2);

    private final Instances instances;
    private final Duration interval;
    private final Duration deadAfter;
    private final Duration afterCallGiveUp;
    private final Clock clock;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private Thread loop;

    /**
     * @param afterCallGiveUp the after-call work of a call taken over is failed if still undone this long from now
     */
    public InstanceHeartbeat(Instances instances, Duration interval, Duration deadAfter, Duration afterCallGiveUp,
                             Clock clock) {
        this.instances = instances;
        this.interval = interval;
        this.deadAfter = deadAfter;
        this.afterCallGiveUp = afterCallGiveUp;
        this.clock = clock;
    }

    /** Starts the loop; the first heartbeat is at once (as soon as the database is connected). */
    public InstanceHeartbeat start() {
        loop = Thread.ofVirtual().name("instance-heartbeat").start(this::run);
        return this;
    }

    public String instanceId() {
        return instances.id();
    }

    private void run() {
        long lastBeatNanos = System.nanoTime();
        boolean everBeat = false;
        boolean down = false;
        long forgetEvery = Math.max(1, Duration.ofHours(1).toMillis() / Math.max(1, interval.toMillis()));
        long round = 0;
        while (!stopped.get()) {
            try {
                instances.heartbeat();
                long now = System.nanoTime();
                if (everBeat && now - lastBeatNanos > deadAfter.toNanos()) {
                    LOG.warning("instance " + instances.id() + " could not heartbeat for " + (now - lastBeatNanos) / 1_000_000
                                + " ms: other instances may have marked its calls in progress abandoned meanwhile");
                } else if (down) {
                    LOG.info("instance heartbeat resumed");
                }
                if (!everBeat) {
                    LOG.info("instance " + instances.id() + " registered; heartbeat every " + interval.toMillis()
                             + " ms, other instances count as dead after " + deadAfter.toMillis() + " ms");
                }
                everBeat = true;
                down = false;
                lastBeatNanos = now;
                Instances.Takeover found = instances.takeOver(deadAfter, clock.instant().plus(afterCallGiveUp));
                if (found.any()) {
                    LOG.warning("took over from stopped instance(s): " + found.abandonedCalls().size()
                                + " call(s) marked abandoned and queued for the CRM " + found.abandonedCalls()
                                + ", " + found.releasedClaims() + " after-call claim(s) released");
                }
                if (round++ % forgetEvery == 0) {
                    instances.forget(FORGET_AFTER);
                }
            } catch (StoreException e) {
                if (!down) {
                    LOG.warning("instance heartbeat paused: database unavailable: " + e.getMessage());
                }
                down = true;
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "instance heartbeat error", e);
            }
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops heartbeating and marks this instance stopped (one bounded database write; skipped if it fails). */
    @Override
    public void close() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        if (loop != null) {
            loop.interrupt();
            try {
                loop.join(JOIN_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            instances.stopped();
            LOG.info("instance " + instances.id() + " marked stopped");
        } catch (RuntimeException e) {
            LOG.warning("could not mark instance " + instances.id() + " stopped (others will find it stale within "
                        + deadAfter.toMillis() + " ms): " + e.getMessage());
        }
    }
}
