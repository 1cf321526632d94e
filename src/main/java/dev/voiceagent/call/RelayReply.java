package dev.voiceagent.call;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import dev.voiceagent.llm.ChatMessage;
import dev.voiceagent.llm.ChatRequest;
import dev.voiceagent.llm.EndCallFilter;
import dev.voiceagent.observe.CallLog;
import dev.voiceagent.observe.CallMetrics;
import dev.voiceagent.persona.Persona;
import dev.voiceagent.twilio.MediaStreamSender;
import dev.voiceagent.twilio.RelayCodec;
import dev.voiceagent.vendor.VendorException;

/**
 * One thing the agent says on a ConversationRelay call: a fixed phrase (the welcome greeting Twilio speaks, a
 * goodbye) or an answer the model streams. An answer is generated on its own virtual thread, which sends each
 * token to Twilio as a {@code text} message as soon as it arrives (spaces kept, {@code [END_CALL]} removed) and
 * ends the talk cycle with {@code last: true}; the call thread hears back exactly once, through {@code done},
 * unless the reply was cancelled first.
 *
 * <p>{@link #cancel()} (call thread: interruption, a new prompt, hang-up) stops it at once: no token is sent
 * after it returns (sends and the cancel take the same lock), and the model's stream is closed at its next
 * delta. The generating thread is never interrupted, because interrupting a virtual thread in a socket write
 * closes the socket. What was sent is {@link #sent()}.
 */
final class RelayReply {

    private static final long RETRY_WITHIN_NANOS = Duration.ofMillis(1500).toNanos();

    enum Kind { GREETING, ANSWER, GOODBYE }

    private final long number;
    private final Kind kind;
    private final TurnTimings timings;
    private final ReentrantLock lock = new ReentrantLock();
    private final StringBuilder sent = new StringBuilder();
    private boolean cancelled;
    private volatile long firstSentNanos;
    private volatile boolean endCall;
    private volatile boolean produced;
    private volatile int llmRequests;
    private volatile Thread thread;

    private RelayReply(long number, Kind kind, TurnTimings timings) {
        this.number = number;
        this.kind = kind;
        this.timings = timings;
    }

    /** A phrase already handed to Twilio (or spoken by it, like the welcome greeting) at {@code sentNanos}. */
    static RelayReply phrase(long number, Kind kind, String text, long sentNanos) {
        RelayReply reply = new RelayReply(number, kind, new TurnTimings());
        reply.sent.append(text);
        reply.firstSentNanos = sentNanos;
        reply.produced = true;
        return reply;
    }

    /**
     * Starts streaming the model's answer to {@code messages} on a new virtual thread; {@code done} is called
     * from it when the answer is complete (or failed), unless cancelled.
     */
    static RelayReply answer(long number, TurnTimings timings, List<ChatMessage> messages, Persona persona,
                             CallServices services, MediaStreamSender out, CallLog log, Consumer<RelayReply> done) {
        RelayReply reply = new RelayReply(number, Kind.ANSWER, timings);
        reply.thread = Thread.ofVirtual().name("relay-reply-" + number).start(() -> {
            try {
                reply.generate(messages, persona, services, out, log);
            } finally {
                reply.produced = true;
                if (!reply.isCancelled()) {
                    done.accept(reply);
                }
            }
        });
        return reply;
    }

    private void generate(List<ChatMessage> messages, Persona persona, CallServices services, MediaStreamSender out,
                          CallLog log) {
        LongSupplier clock = services.nanoTime();
        EndCallFilter filter = new EndCallFilter();
        ChatRequest request = new ChatRequest(persona.llmModel(), messages, persona.maxTokens(), persona.temperature());
        timings.llmStartNanos = clock.getAsLong();
        dev.voiceagent.llm.LanguageModel.TokenSink sink = delta -> {
            if (timings.llmFirstTokenNanos == 0) {
                timings.llmFirstTokenNanos = clock.getAsLong();
                services.metrics().stage(CallMetrics.Stage.LLM_FIRST_TOKEN,
                                         Duration.ofNanos(timings.llmFirstTokenNanos - timings.llmStartNanos));
            }
            String text = filter.accept(delta);
            return text.isEmpty() ? !isCancelled() : send(out, text, false, clock);
        };
        try {
            try {
                llmRequests++;
                services.llm().stream(request, sink);
            } catch (VendorException e) {
                services.metrics().vendorError(e.vendor(), e.kind().name());
                // A retry is only invisible to the caller before anything was said.
                if (firstSentNanos != 0 || isCancelled() || !e.kind().retryable()
                        || clock.getAsLong() - timings.llmStartNanos > RETRY_WITHIN_NANOS) {
                    throw e;
                }
                log.info("retrying the language model once", "kind", e.kind().name());
                llmRequests++;
                services.llm().stream(request, sink);
            }
            endCall = filter.endCallRequested();
            send(out, filter.finish(), true, clock);
        } catch (VendorException e) {
            if (firstSentNanos == 0) {
                log.warn("the language model failed; apologising", "kind", e.kind().name());
                send(out, persona.apology(), true, clock);
            } else {
                log.warn("the language model failed mid-answer; ending the talk cycle", "kind", e.kind().name());
                send(out, "", true, clock);
            }
        } catch (RuntimeException e) {
            // The socket is gone (the call thread hears of it from the listener) or something unexpected.
            log.warn("answer failed", e);
        }
    }

    /** Sends one {@code text} message unless cancelled; returns whether the answer should go on. */
    private boolean send(MediaStreamSender out, String token, boolean last, LongSupplier clock) {
        lock.lock();
        try {
            if (cancelled) {
                return false;
            }
            out.send(RelayCodec.text(token, last));
            if (!token.isEmpty()) {
                sent.append(token);
                if (firstSentNanos == 0) {
                    firstSentNanos = clock.getAsLong();
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Stops the answer: nothing more is sent once this returns. Any thread; never waits on the model. */
    void cancel() {
        lock.lock();
        try {
            cancelled = true;
        } finally {
            lock.unlock();
        }
    }

    /** Waits at most {@code bound} for the generating thread to stop (teardown). */
    void join(Duration bound) {
        Thread t = thread;
        if (t == null) {
            return;
        }
        try {
            t.join(bound);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean isCancelled() {
        lock.lock();
        try {
            return cancelled;
        } finally {
            lock.unlock();
        }
    }

    /** The text sent to Twilio so far. */
    String sent() {
        lock.lock();
        try {
            return sent.toString();
        } finally {
            lock.unlock();
        }
    }

    long number() {
        return number;
    }

    Kind kind() {
        return kind;
    }

    TurnTimings timings() {
        return timings;
    }

    /** When the first token was sent; 0 if none was. */
    long firstSentNanos() {
        return firstSentNanos;
    }

    /** Whether the whole reply has been sent (or failed). */
    boolean produced() {
        return produced;
    }

    /** Whether the model finished the answer with {@code [END_CALL]}. */
    boolean endsCall() {
        return endCall;
    }

    int llmRequests() {
        return llmRequests;
    }
}
