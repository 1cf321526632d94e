package dev.voiceagent.call;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.voiceagent.audio.PlayoutPacer;
import dev.voiceagent.audio.Wav;
import dev.voiceagent.llm.ChatMessage;
import dev.voiceagent.llm.ChatRequest;
import dev.voiceagent.llm.LanguageModel;
import dev.voiceagent.llm.SentenceSplitter;
import dev.voiceagent.observe.CallLog;
import dev.voiceagent.observe.CallMetrics;
import dev.voiceagent.persona.Persona;
import dev.voiceagent.stt.Transcript;
import dev.voiceagent.tts.SpeechRequest;
import dev.voiceagent.vendor.VendorException;

/**
 * Produces one {@link AgentReply} on two virtual threads so thinking and speaking overlap: the
 * <em>think</em> thread transcribes the turn and streams the model's answer, handing each finished
 * sentence over; the <em>speak</em> thread synthesizes sentences one after another and queues their audio
 * and marks, so later sentences are synthesized while earlier ones play.
 *
 * <p>{@link #cancel()} (call thread, on barge-in or hang-up) stops both at once: sinks return false, which
 * closes the vendor streams, and the threads are interrupted. Nothing is queued after a cancel.
 * The call thread hears back exactly once, through {@link CallInput.ReplyProduced}, unless cancelled.
 */
final class ReplyProducer {

    /** A piece of text to speak; phrases are served from the phrase cache. */
    private record Piece(String text, boolean phrase) {
    }

    private static final Piece END = new Piece("", false);
    private static final long RETRY_WITHIN_NANOS = Duration.ofMillis(1500).toNanos();

    private final CallServices services;
    private final Persona persona;
    private final Playout playout;
    private final CallLog log;
    private final Consumer<CallInput> post;
    private final AgentReply reply;
    private final BlockingQueue<Piece> pieces = new LinkedBlockingQueue<>();
    private volatile boolean cancelled;
    private volatile Thread think;
    private volatile Thread speak;

    private ReplyProducer(CallServices services, Persona persona, Playout playout, CallLog log,
                          Consumer<CallInput> post, AgentReply reply) {
        this.services = services;
        this.persona = persona;
        this.playout = playout;
        this.log = log;
        this.post = post;
        this.reply = reply;
    }

    /** Speaks a fixed phrase. */
    static ReplyProducer phrase(CallServices services, Persona persona, Playout playout, CallLog log,
                                Consumer<CallInput> post, AgentReply reply, String text) {
        ReplyProducer producer = new ReplyProducer(services, persona, playout, log, post, reply);
        producer.pieces.add(new Piece(text, true));
        producer.pieces.add(END);
        producer.speak = Thread.ofVirtual().name("speak-" + log.callSid() + "-" + reply.number())
                .start(producer::speakPieces);
        return producer;
    }

    /** Answers a caller turn given the conversation before it. */
    static ReplyProducer answer(CallServices services, Persona persona, Playout playout, CallLog log,
                                Consumer<CallInput> post, AgentReply reply, List<ChatMessage> history) {
        ReplyProducer producer = new ReplyProducer(services, persona, playout, log, post, reply);
        producer.speak = Thread.ofVirtual().name("speak-" + log.callSid() + "-" + reply.number())
                .start(producer::speakPieces);
        producer.think = Thread.ofVirtual().name("think-" + log.callSid() + "-" + reply.number())
                .start(() -> producer.think(history));
        return producer;
    }

    /** Stops producing now. Idempotent. */
    void cancel() {
        cancelled = true;
        interrupt(think);
        interrupt(speak);
    }

    /** Waits for both threads to end, at most {@code bound} in total. */
    void join(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        for (Thread t : new Thread[] {think, speak}) {
            if (t == null) {
                continue;
            }
            try {
                t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** @param history the conversation before this turn, snapshotted by the call thread */
    private void think(List<ChatMessage> history) {
        try {
            Optional<String> said = callerWords();
            if (said.isEmpty()) {
                return;
            }
            reply.callerText(said.get());
            stream(Conversation.withCaller(history, said.get()));
        } catch (VendorException e) {
            if (!cancelled) {
                log.warn("could not answer: " + e.getMessage(), "vendor", e.vendor(), "kind", e.kind().name());
                if (!reply.hasPieces() && pieces.isEmpty()) {
                    pieces.add(new Piece(persona.apology(), true));
                }
            }
        } catch (RuntimeException e) {
            if (!cancelled) {
                log.warn("answer failed", e);
            }
        } finally {
            pieces.add(END);
        }
    }

    /** The caller's words: typed keys, or the transcript of their audio (empty when there were none). */
    private Optional<String> callerWords() {
        if (reply.typedInput().isPresent()) {
            return reply.typedInput();
        }
        byte[] audio = reply.callerAudio().orElseThrow();
        TurnTimings t = reply.timings();
        t.sttStartNanos = now();
        byte[] wav = Wav.fromMuLaw(audio, 0, audio.length);
        Transcript transcript = withRetry("stt", () -> services.stt().transcribe(wav));
        t.sttDoneNanos = now();
        services.metrics().stage(CallMetrics.Stage.STT, nanos(t.sttDoneNanos - t.sttStartNanos));
        if (transcript.isEmpty()) {
            log.info("turn ignored: no words in the audio", "audioMs", audio.length / 8, "sttMs",
                     TurnTimings.millis(t.sttStartNanos, t.sttDoneNanos));
            return Optional.empty();
        }
        return Optional.of(transcript.text());
    }

    private void stream(List<ChatMessage> messages) {
        TurnTimings t = reply.timings();
        SentenceSplitter splitter = new SentenceSplitter();
        ChatRequest request = new ChatRequest(persona.llmModel(), messages, persona.maxTokens(), persona.temperature());
        t.llmStartNanos = now();
        boolean[] anyToken = {false};
        LanguageModel.TokenSink sink = delta -> {
            if (!anyToken[0]) {
                anyToken[0] = true;
                t.llmFirstTokenNanos = now();
                services.metrics().stage(CallMetrics.Stage.LLM_FIRST_TOKEN, nanos(t.llmFirstTokenNanos - t.llmStartNanos));
            }
            for (String piece : splitter.accept(delta)) {
                if (t.llmFirstPieceNanos == 0) {
                    t.llmFirstPieceNanos = now();
                }
                pieces.add(new Piece(piece, false));
            }
            return !cancelled;
        };
        try {
            services.llm().stream(request, sink);
        } catch (VendorException e) {
            services.metrics().vendorError(e.vendor(), e.kind().name());
            // A retry is only invisible to the caller before anything was said.
            if (anyToken[0] || cancelled || !e.kind().retryable() || now() - t.llmStartNanos > RETRY_WITHIN_NANOS) {
                throw e;
            }
            log.info("retrying the language model once", "kind", e.kind().name());
            services.llm().stream(request, sink);
        }
        if (!cancelled) {
            for (String piece : splitter.finish()) {
                if (t.llmFirstPieceNanos == 0) {
                    t.llmFirstPieceNanos = now();
                }
                pieces.add(new Piece(piece, false));
            }
            reply.endsCall(splitter.endCallRequested());
        }
    }

    private void speakPieces() {
        String previous = "";
        try {
            while (!cancelled) {
                Piece piece = pieces.take();
                if (piece == END) {
                    break;
                }
                if (speakPiece(piece, previous)) {
                    previous = piece.text();
                }
            }
            if (!cancelled) {
                playout.mark(reply.number(), reply.endMarkName());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!cancelled) {
                log.warn("speaking failed", e);
            }
        } finally {
            reply.markProduced();
            if (!cancelled) {
                post.accept(new CallInput.ReplyProduced(reply));
            }
        }
    }

    /** Queues the audio of one piece and its mark; returns whether any audio was queued. */
    private boolean speakPiece(Piece piece, String previous) {
        if (piece.phrase()) {
            Optional<byte[]> cached = services.phrases().get(persona.voice(), piece.text());
            if (cached.isPresent()) {
                byte[] audio = cached.get();
                markFirstByte();
                playout.audio(reply.number(), audio, 0, audio.length);
                playout.mark(reply.number(), reply.addPiece(piece.text(), PlayoutPacer.mulawNanos(audio.length)));
                return true;
            }
        }
        TurnTimings t = reply.timings();
        if (t.ttsStartNanos == 0) {
            t.ttsStartNanos = now();
        }
        long[] bytes = {0};
        ByteArrayOutputStream keep = piece.phrase() ? new ByteArrayOutputStream(8192) : null;
        try {
            services.tts().synthesize(new SpeechRequest(piece.text(), persona.voice(), previous), (b, off, len) -> {
                if (cancelled) {
                    return false;
                }
                markFirstByte();
                playout.audio(reply.number(), b, off, len);
                bytes[0] += len;
                if (keep != null && keep.size() + len <= services.phrases().maxBytesPerEntry()) {
                    keep.write(b, off, len);
                }
                return true;
            });
        } catch (VendorException e) {
            if (!cancelled) {
                log.warn("could not speak a sentence: " + e.getMessage(), "vendor", e.vendor(), "kind", e.kind().name());
            }
            if (bytes[0] == 0) {
                return false;
            }
        }
        if (cancelled || bytes[0] == 0) {
            return false;
        }
        if (keep != null && keep.size() == bytes[0]) {
            services.phrases().put(persona.voice(), piece.text(), keep.toByteArray());
        }
        playout.mark(reply.number(), reply.addPiece(piece.text(), PlayoutPacer.mulawNanos((int) bytes[0])));
        return true;
    }

    private void markFirstByte() {
        TurnTimings t = reply.timings();
        if (t.ttsFirstByteNanos == 0) {
            t.ttsFirstByteNanos = now();
            if (t.ttsStartNanos != 0) {
                services.metrics().stage(CallMetrics.Stage.TTS_FIRST_BYTE, nanos(t.ttsFirstByteNanos - t.ttsStartNanos));
            }
        }
    }

    private <T> T withRetry(String what, Supplier<T> call) {
        long start = now();
        try {
            return call.get();
        } catch (VendorException e) {
            services.metrics().vendorError(e.vendor(), e.kind().name());
            if (cancelled || !e.kind().retryable() || now() - start > RETRY_WITHIN_NANOS) {
                throw e;
            }
            log.info("retrying " + what + " once", "kind", e.kind().name());
            try {
                Thread.sleep(100);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw e;
            }
            try {
                return call.get();
            } catch (VendorException again) {
                services.metrics().vendorError(again.vendor(), again.kind().name());
                throw again;
            }
        }
    }

    private long now() {
        return services.nanoTime().getAsLong();
    }

    private static Duration nanos(long n) {
        return Duration.ofNanos(Math.max(0, n));
    }

    private static void interrupt(Thread t) {
        if (t != null) {
            t.interrupt();
        }
    }
}
