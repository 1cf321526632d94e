package dev.voiceagent.crm;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.voiceagent.config.Settings;
import dev.voiceagent.llm.CallExtractor;
import dev.voiceagent.llm.Extraction;
import dev.voiceagent.observe.CallMetrics;
import dev.voiceagent.persona.FactSpec;
import dev.voiceagent.persona.Persona;
import dev.voiceagent.persona.PersonaCatalog;
import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.Channel;
import dev.voiceagent.store.CallStore;
import dev.voiceagent.store.CallerHistory;
import dev.voiceagent.store.Delivery;
import dev.voiceagent.store.StoreException;
import dev.voiceagent.store.TurnRecord;
import dev.voiceagent.vendor.VendorException;

/**
 * Does the work a finished call leaves in the outbox, durably: extraction first, then GoHighLevel and the
 * webhook (a web phone call, having no number, skips GoHighLevel). One background virtual thread claims due rows; each row is worked on its own virtual thread.
 * <p>
 * Every attempt starts from the progress stored for the row, and each step's result is stored before the
 * next step runs, so after a failure or a restart the work resumes where it stopped: the contact is not
 * looked up again once its id is known, and the note is never posted again once GoHighLevel answered with
 * its id. The one case a note can be posted twice is a request whose answer never arrived (a timeout after
 * GoHighLevel received it): the documented API has no idempotency key or note lookup to tell.
 * <p>
 * Failures that can pass (429, 5xx, timeouts, network, a database outage) are retried with exponential
 * backoff and jitter, or after the delay the vendor asked for; a request the vendor rejects as malformed
 * fails the row at once. A row still undone at its give-up time is marked failed and stays visible.
 * Calls cut off by a crash are found on start (and every few minutes) and go through the same path.
 * <p>
 * Every instance sharing the database runs one worker: rows are claimed with {@code FOR UPDATE SKIP LOCKED} as a
 * lease ({@link #LEASE}) that names the claiming instance, so two workers never hold the same row, and a row whose
 * worker died is retaken when the lease ends, or at once when another instance finds the dead one
 * ({@link dev.voiceagent.store.InstanceHeartbeat}). Calls with an owning instance are taken over there, within
 * {@code instances.deadAfterMs}; the sweep here catches the rest (calls stored without an owner) by age.
 */
public final class DeliveryWorker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DeliveryWorker.class.getName());
    private static final int BATCH = 16;
    /** Longer than any one attempt (each request is bounded by afterCall.requestTimeoutMs), so a live claim never lapses. */
    static final Duration LEASE = Duration.ofMinutes(2);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration STALE_SWEEP = Duration.ofMinutes(5);
    private static final Duration LONGEST_RETRY_AFTER = Duration.ofHours(1);

    private final CallStore store;
    private final PersonaCatalog personas;
    private final Optional<CallExtractor> extractor;
    private final Optional<ContactCrm> crm;
    private final Optional<CallWebhook> webhook;
    private final Settings.AfterCall settings;
    private final Clock clock;
    private final CallMetrics metrics;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile Map<String, Long> backlog = Map.of();
    private Instant nextBacklog = Instant.MIN;
    private Thread loop;
    /** The attempts of the current batch; close() gives them a moment to write their outcome. */
    private volatile List<Thread> inFlight = List.of();

    public DeliveryWorker(CallStore store, PersonaCatalog personas, Optional<CallExtractor> extractor,
                          Optional<ContactCrm> crm, Optional<CallWebhook> webhook, Settings.AfterCall settings,
                          CallMetrics metrics, Clock clock) {
        this.metrics = metrics;
        this.store = store;
        this.personas = personas;
        this.extractor = extractor;
        this.crm = crm;
        this.webhook = webhook;
        this.settings = settings;
        this.clock = clock;
    }

    /** Starts the background loop. */
    public DeliveryWorker start() {
        loop = Thread.ofVirtual().name("after-call-worker").start(this::run);
        return this;
    }

    /** Pending rows by target, as of the last few seconds (health reads this, never the database). */
    public Map<String, Long> backlog() {
        return backlog;
    }

    /** Stops claiming work and waits a bounded moment for attempts under way; what is cut off is retried later. */
    @Override
    public void close() {
        stopped.set(true);
        if (loop != null) {
            loop.interrupt();
            try {
                loop.join(Duration.ofSeconds(2));
                long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                for (Thread attempt : inFlight) {
                    long left = deadline - System.nanoTime();
                    if (left > 0) {
                        attempt.join(Duration.ofNanos(left));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        Instant nextSweep = Instant.MIN;
        while (!stopped.get()) {
            try {
                if (clock.instant().isAfter(nextSweep)) {
                    sweepStaleCalls();
                    nextSweep = clock.instant().plus(STALE_SWEEP);
                }
                if (clock.instant().isAfter(nextBacklog)) {
                    backlog = store.backlog();
                    nextBacklog = clock.instant().plusSeconds(5);
                }
                List<Delivery> due = store.claimDue(BATCH, LEASE);
                List<Thread> workers = new ArrayList<>(due.size());
                for (Delivery d : due) {
                    workers.add(Thread.ofVirtual().name("deliver-" + d.target() + "-" + d.callSid())
                                        .start(() -> attempt(d)));
                }
                inFlight = workers;
                for (Thread w : workers) {
                    w.join();
                }
                if (due.size() < BATCH) {
                    Thread.sleep(POLL.toMillis());
                }
            } catch (InterruptedException e) {
                return;
            } catch (StoreException e) {
                LOG.warning("after-call work paused: database unavailable: " + e.getMessage());
                sleepQuietly(Duration.ofSeconds(2));
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "after-call loop error", e);
                sleepQuietly(Duration.ofSeconds(2));
            }
        }
    }

    private void sweepStaleCalls() {
        Duration longest = personas.current().all().stream().map(p -> p.turnTaking().maxCallLength())
                .max(Duration::compareTo).orElse(Duration.ofMinutes(15));
        Instant now = clock.instant();
        int found = store.abandonStale(now.minus(longest).minus(settings.staleCallMargin()), now.plus(settings.giveUpAfter()));
        if (found > 0) {
            LOG.warning(found + " call(s) were cut off by a server stop; sending what was stored of them");
        }
    }

    /**
     * One attempt at one row. Never throws: every outcome is written back to the row, and when even that
     * fails (the database is down) the claim's lease runs out and the row is tried again later.
     */
    private void attempt(Delivery d) {
        try {
            attemptOnce(d);
        } catch (StoreException e) {
            LOG.warning("after-call " + d.target() + " for " + d.callSid() + " paused: " + e.getMessage());
        }
    }

    private void attemptOnce(Delivery d) {
        try {
            switch (d.target()) {
                case CallStore.EXTRACTION -> extract(d);
                case CallStore.GOHIGHLEVEL -> toGoHighLevel(d);
                case CallStore.WEBHOOK -> toWebhook(d);
                default -> fail(d, "unknown target " + d.target());
            }
        } catch (VendorException e) {
            failedAttempt(d, e);
        } catch (StoreException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "after-call " + d.target() + " for " + d.callSid() + " failed", e);
            retryOrGiveUp(d, e.toString(), Optional.empty());
        }
    }

    private void extract(Delivery d) {
        CallDetail call = detail(d);
        Extraction result;
        if (call.turns().stream().noneMatch(t -> t.role() == TurnRecord.Role.CALLER)) {
            result = new Extraction("The caller did not say anything.", Map.of());
        } else if (extractor.isEmpty()) {
            fail(d, "Cloudflare Workers AI is not configured");
            return;
        } else {
            List<FactSpec> facts = personas.current().byId(call.call().personaId()).map(Persona::collect).orElse(List.of());
            result = extractor.get().extract(settings.extractionModel(), facts, CallReport.transcript(call.turns()));
        }
        store.extracted(d.id(), d.callSid(), result.summary(), result.facts(), followUps(call.call().channel()),
                        giveUpAt());
        metrics.afterCall(d.target(), "delivered");
        LOG.info("call summarised: " + d.callSid() + " (" + result.facts().size() + " fact(s))");
    }

    private void toGoHighLevel(Delivery d) {
        if (crm.isEmpty()) {
            fail(d, "GoHighLevel is not configured");
            return;
        }
        CallDetail call = detail(d);
        if (!CallerHistory.recognisable(call.call().from())) {
            fail(d, "the caller's number is withheld (" + call.call().from() + "): no contact to file the call under");
            return;
        }
        Optional<Persona> persona = personas.current().byId(call.call().personaId());
        String contactId = d.progress().get("contactId");
        if (contactId == null) {
            contactId = crm.get().upsertContact(new Contact(call.call().from(),
                                                            Optional.ofNullable(call.facts().get("name")),
                                                            "voice agent"));
            store.saveProgress(d.id(), Map.of("contactId", contactId));
        }
        if (!d.progress().containsKey("noteId")) {
            String noteId = crm.get().addNote(contactId, CallReport.note(call, persona));
            store.saveProgress(d.id(), Map.of("noteId", noteId));
        }
        if (!d.progress().containsKey("tagged")) {
            crm.get().addTags(contactId, CallReport.tags(call, persona));
            store.saveProgress(d.id(), Map.of("tagged", "true"));
        }
        done(d);
    }

    private void toWebhook(Delivery d) {
        if (webhook.isEmpty()) {
            fail(d, "CRM_WEBHOOK_URL is not set");
            return;
        }
        CallDetail call = detail(d);
        Optional<Persona> persona = personas.current().byId(call.call().personaId());
        webhook.get().post(d.callSid(), CallReport.webhookJson(call, persona, json));
        done(d);
    }

    private CallDetail detail(Delivery d) {
        return store.call(d.callSid()).orElseThrow(() -> new IllegalStateException("call not stored: " + d.callSid()));
    }

    /**
     * What follows the extraction. A {@linkplain Channel#WEB web phone} call has no number, and GoHighLevel files
     * every note and tag under a contact found by number, so it gets no GoHighLevel row at all (rather than one
     * that fails); the webhook, which carries {@code channel}, still gets it.
     */
    private List<String> followUps(Channel channel) {
        List<String> then = new ArrayList<>(2);
        if (channel == Channel.PHONE) {
            crm.ifPresent(c -> then.add(CallStore.GOHIGHLEVEL));
        }
        webhook.ifPresent(w -> then.add(CallStore.WEBHOOK));
        return then;
    }

    private void done(Delivery d) {
        store.delivered(d.id());
        metrics.afterCall(d.target(), "delivered");
        LOG.info("call delivered to " + d.target() + ": " + d.callSid() + " (attempt " + (d.attempts() + 1) + ")");
    }

    private void failedAttempt(Delivery d, VendorException e) {
        if (e.kind() == VendorException.Kind.BAD_RESPONSE || e.kind() == VendorException.Kind.UNCONFIGURED) {
            fail(d, e.getMessage());
            return;
        }
        retryOrGiveUp(d, e.getMessage(), e.retryAfter());
    }

    private void retryOrGiveUp(Delivery d, String error, Optional<Duration> askedDelay) {
        Instant now = clock.instant();
        Duration delay = askedDelay.map(a -> a.compareTo(LONGEST_RETRY_AFTER) > 0 ? LONGEST_RETRY_AFTER : a)
                .orElseGet(() -> backoff(d.attempts()));
        Instant next = now.plus(delay);
        if (next.isAfter(d.giveUpAt())) {
            fail(d, "gave up: " + error);
            return;
        }
        LOG.warning("after-call " + d.target() + " for " + d.callSid() + " failed (attempt " + (d.attempts() + 1)
                    + "), retrying in " + delay.toMillis() + " ms: " + error);
        store.retryAt(d.id(), next, error);
        metrics.afterCall(d.target(), "retry");
    }

    /** The row will not be tried again. A failed extraction still sends the transcript on to the CRM. */
    private void fail(Delivery d, String error) {
        metrics.afterCall(d.target(), "failed");
        LOG.severe("after-call " + d.target() + " for " + d.callSid() + " failed for good: " + error);
        if (d.target().equals(CallStore.EXTRACTION)) {
            Channel channel = store.call(d.callSid()).map(c -> c.call().channel()).orElse(Channel.PHONE);
            store.extractionFailed(d.id(), error, followUps(channel), giveUpAt());
        } else {
            store.failed(d.id(), error);
        }
    }

    /** firstRetry x 2^attempts, capped, with +-20 % jitter so a backlog does not retry in lockstep. */
    Duration backoff(int attempts) {
        long first = settings.firstRetry().toMillis();
        long capped = Math.min(settings.maxRetry().toMillis(), first << Math.min(attempts, 20));
        double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        return Duration.ofMillis(Math.max(1, (long) (capped * jitter)));
    }

    private Instant giveUpAt() {
        return clock.instant().plus(settings.giveUpAfter());
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
