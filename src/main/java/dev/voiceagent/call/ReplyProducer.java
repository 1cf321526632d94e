package dev.voiceagent.call;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.voiceagent.audio.PlayoutPacer;
import dev.voiceagent.audio.Wav;
import dev.voiceagent.llm.ChatMessage;
import dev.voiceagent.llm.ChatRequest;
import dev.voiceagent.llm.ChatResult;
import dev.voiceagent.llm.LanguageModel;
import dev.voiceagent.llm.SentenceSplitter;
import dev.voiceagent.llm.ToolCall;
import dev.voiceagent.observe.CallLog;
import dev.voiceagent.observe.CallMetrics;
import dev.voiceagent.persona.Persona;
import dev.voiceagent.stt.Transcript;
import dev.voiceagent.tools.ToolContext;
import dev.voiceagent.tools.ToolOutcome;
import dev.voiceagent.tools.ToolSpec;
import dev.voiceagent.tts.CallVoice;
import dev.voiceagent.tts.SpeechRequest;
import dev.voiceagent.vendor.VendorException;

/**
 * Produces one {@link AgentReply} on two virtual threads so thinking and speaking overlap: the
 * <em>think</em> thread transcribes the turn and streams the model's answer, handing each finished
 * sentence over; the <em>speak</em> thread synthesizes sentences one after another and queues their audio
 * and marks, so later sentences are synthesized while earlier ones play.
 *
 * <p>A <em>speculative</em> producer starts while the caller is only pausing. It is <em>held</em>: it
 * transcribes, streams the answer and synthesizes the first sentence into memory, but nothing reaches the
 * playout until the call thread confirms the turn with {@link #release()}, or with {@link #verify} when
 * the caller said a little more after the speculation began: then the whole turn is transcribed again
 * and, if the words differ, the answer is regenerated from the new transcript (a new <em>version</em>;
 * everything of the old one is dropped unplayed).
 *
 * <p>The caller's words are reported once through {@link CallInput.Transcribed} as soon as they are final (for
 * a held answer: once it is released), so the call thread stores the caller's turn before the answer plays.
 *
 * <p>When the model asks for tools, the think thread runs them ({@link ToolRunner}, each on its own virtual thread,
 * bounded by its timeout), says the persona's filler if they take a while, and asks the model again with their
 * results; the exchange reaches the call thread through {@link CallInput.ToolsDone}, for the conversation and
 * storage. A tool that ends the call or hands it to a person ends the reply with the words for that.
 *
 * <p>{@link #cancel()} (call thread, on barge-in, continued speech or hang-up) stops everything at once:
 * sinks return false, which closes the vendor streams, and the threads are interrupted. Nothing is queued
 * after a cancel. Unless cancelled, the call thread hears back exactly once, through
 * {@link CallInput.ReplyProduced}.
 */
final class ReplyProducer {

    /** A piece of text to speak (or the end of a version); phrases are served from the phrase cache. */
    private record Piece(String text, boolean phrase, int version, boolean end) {
    }

    private static final long RETRY_WITHIN_NANOS = Duration.ofMillis(1500).toNanos();
    /** Model requests per turn that may offer tools; the one after the last tool round must answer in words. */
    static final int MAX_TOOL_ROUNDS = 3;
    /** A tool still running after this long gets the persona's filler phrase said (once per reply). */
    static final Duration FILLER_AFTER = Duration.ofMillis(700);
    private static final Duration TOOL_POLL = Duration.ofMillis(10);
    /** A held sentence is kept in memory until released: at most 30 s of audio. */
    private static final int MAX_HELD_BYTES = 8 * 30_000;

    private final CallServices services;
    private final Persona persona;
    private final CallVoice voice;
    private final Playout playout;
    private final CallLog log;
    private final Consumer<CallInput> post;
    private final ToolContext tools;
    private final AgentReply reply;
    private volatile boolean fillerSaid;
    private final BlockingQueue<Piece> pieces = new LinkedBlockingQueue<>();
    private final CompletableFuture<String> firstTranscript = new CompletableFuture<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition settled = lock.newCondition();
    private volatile boolean cancelled;
    private volatile boolean held;
    private volatile int version;
    private volatile int lastQueuedVersion = -1;
    private String regenerateFrom;
    private volatile Thread think;
    private volatile Thread speak;
    private volatile Thread verifier;
    private final java.util.concurrent.atomic.AtomicBoolean wordsReported = new java.util.concurrent.atomic.AtomicBoolean();

    private ReplyProducer(ReplyContext call, AgentReply reply, boolean held) {
        this.services = call.services();
        this.persona = call.persona();
        this.voice = call.voice();
        this.playout = call.playout();
        this.log = call.log();
        this.post = call.post();
        this.tools = call.tools();
        this.reply = reply;
        this.held = held;
    }

    /** Speaks a fixed phrase. */
    static ReplyProducer phrase(ReplyContext call, AgentReply reply, String text, boolean cacheable) {
        ReplyProducer producer = new ReplyProducer(call, reply, false);
        producer.pieces.add(new Piece(text, cacheable, 0, false));
        producer.pieces.add(new Piece("", false, 0, true));
        producer.startSpeaking();
        return producer;
    }

    /** Answers a caller turn given the conversation before it. */
    static ReplyProducer answer(ReplyContext call, AgentReply reply, List<ChatMessage> history) {
        return start(new ReplyProducer(call, reply, false), history);
    }

    /** Answers the turn so far, holding all output until {@link #release()} or {@link #verify}. */
    static ReplyProducer speculate(ReplyContext call, AgentReply reply, List<ChatMessage> history) {
        return start(new ReplyProducer(call, reply, true), history);
    }

    private static ReplyProducer start(ReplyProducer producer, List<ChatMessage> history) {
        producer.startSpeaking();
        producer.think = Thread.ofVirtual().name("think-" + producer.log.callSid() + "-" + producer.reply.number())
                .start(() -> producer.think(history));
        return producer;
    }

    private void startSpeaking() {
        speak = Thread.ofVirtual().name("speak-" + log.callSid() + "-" + reply.number()).start(this::speakPieces);
    }

    /** The turn is over and the speculation covered all of it: play it. Call thread. */
    void release() {
        settle(null);
    }

    /**
     * The turn is over but its final words may differ from those the speculation started on: with words a live
     * recogniser already gave, compare them; with audio (the caller said a little more after the speculation
     * began), transcribe the whole turn first. The held answer plays if the words are the same, and is
     * regenerated from the final words otherwise. Call thread.
     */
    void verify(Utterance finalWords) {
        if (finalWords instanceof Utterance.Text(String words)) {
            settleOn(words);
            return;
        }
        verifier = Thread.ofVirtual().name("verify-" + log.callSid() + "-" + reply.number()).start(() -> {
            try {
                TurnTimings t = reply.timings();
                t.sttStartNanos = now();
                String finalText = transcribe(finalWords);
                t.sttDoneNanos = now();
                settleOn(finalText);
            } catch (VendorException e) {
                // The final transcription failed: the speculative words are the best we have.
                reply.speculation(SpeculationOutcome.CHECKED);
                settle(null);
            }
        });
    }

    /** Plays the held answer if {@code finalText} says what the speculation heard, else regenerates it. */
    private void settleOn(String finalText) {
        String speculative;
        try {
            speculative = firstTranscript.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException e) {
            settle(null);
            return;
        }
        if (sameWords(finalText, speculative)) {
            reply.speculation(SpeculationOutcome.CHECKED);
            settle(null);
        } else {
            reply.speculation(SpeculationOutcome.REGENERATED);
            log.info("final transcript differs from the speculative one; regenerating", "reply", reply.number());
            settle(finalText);
        }
    }

    /** Stops producing now. Idempotent. */
    void cancel() {
        cancelled = true;
        interrupt(think);
        interrupt(speak);
        interrupt(verifier);
        lock.lock();
        try {
            settled.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the threads to end, at most {@code bound} in total. */
    void join(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        for (Thread t : new Thread[] {think, speak, verifier}) {
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

    // ---- thinking -----------------------------------------------------------------------------------------

    /** @param history the conversation before this turn, snapshotted by the call thread */
    private void think(List<ChatMessage> history) {
        int current = version;
        String text = null;
        try {
            try {
                text = callerWords().orElse(null);
            } catch (VendorException e) {
                couldNotAnswer(e, current);
            } finally {
                // Read the version before publishing the transcript: a regeneration can only follow it.
                current = version;
                firstTranscript.complete(text == null ? "" : text);
            }
            while (!cancelled) {
                if (text != null) {
                    reply.callerText(text);
                    if (!held) {
                        reportWords(text);
                    }
                    try {
                        stream(Conversation.withCaller(history, text), current);
                    } catch (VendorException e) {
                        couldNotAnswer(e, current);
                    }
                }
                if (awaitSettled(current) || cancelled) {
                    break;
                }
                current = version;               // regenerate from the final transcript
                text = regenerateText();
            }
        } catch (RuntimeException e) {
            if (!cancelled) {
                log.warn("answer failed", e);
            }
        } finally {
            pieces.add(new Piece("", false, current, true));
        }
    }

    private void couldNotAnswer(VendorException e, int forVersion) {
        if (cancelled) {
            return;
        }
        log.warn("could not answer: " + e.getMessage(), "vendor", e.vendor(), "kind", e.kind().name());
        if (lastQueuedVersion != forVersion) {
            addPiece(new Piece(persona.apology(), true, forVersion, false));
        }
    }

    /**
     * The caller's words: given (a live recogniser's, or keys pressed), or the transcript of their audio, which
     * is reported to the call thread at once so the caller's turn is stored before the answer plays. Empty when
     * there were no words.
     */
    private Optional<String> callerWords() {
        Utterance words = reply.callerWords().orElseThrow();
        if (words instanceof Utterance.Text(String text)) {
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        }
        Utterance.Audio audio = (Utterance.Audio) words;
        TurnTimings t = reply.timings();
        t.sttStartNanos = now();
        String text = transcribe(audio);
        t.sttDoneNanos = now();
        services.metrics().stage(CallMetrics.Stage.STT, nanos(t.sttDoneNanos - t.sttStartNanos));
        if (new Transcript(text).isEmpty()) {
            log.info("turn ignored: no words in the audio", "audioMs", audio.mulaw().length / 8, "sttMs",
                     TurnTimings.millis(t.sttStartNanos, t.sttDoneNanos));
            return Optional.empty();
        }
        return Optional.of(text);
    }

    /** The words of {@code words}: batch speech-to-text for its audio, joined with any words known around it. */
    private String transcribe(Utterance words) {
        return switch (words) {
            case Utterance.Text(String text) -> text;
            case Utterance.Audio(String before, byte[] mulaw, String after) -> {
                String heard = transcribe(mulaw).text();
                yield String.join(" ", java.util.stream.Stream.of(before, heard, after).filter(w -> !w.isBlank()).toList());
            }
        };
    }

    private Transcript transcribe(byte[] audio) {
        byte[] wav = Wav.fromMuLaw(audio, 0, audio.length);
        return withRetry("stt", () -> {
            reply.countSttRequest();
            return services.stt().transcribe(wav);
        });
    }

    /**
     * Streams the model's answer as pieces of {@code forVersion}; stops early if a newer version starts. When the
     * model asks for tools they are run ({@link #useTools}) and the model is asked again with their results, at most
     * {@value #MAX_TOOL_ROUNDS} times per turn (the last request offers no tools, so it must answer in words).
     */
    private void stream(List<ChatMessage> messages, int forVersion) {
        TurnTimings t = reply.timings();
        SentenceSplitter splitter = new SentenceSplitter();
        List<ToolSpec> offered = persona.tools().specs();
        t.llmStartNanos = now();
        t.llmFirstTokenNanos = 0;
        t.llmFirstPieceNanos = 0;
        boolean[] anyToken = {false};
        StringBuilder said = new StringBuilder();
        LanguageModel.TokenSink sink = delta -> {
            if (!anyToken[0]) {
                anyToken[0] = true;
                t.llmFirstTokenNanos = now();
                services.metrics().stage(CallMetrics.Stage.LLM_FIRST_TOKEN, nanos(t.llmFirstTokenNanos - t.llmStartNanos));
            }
            said.append(delta);
            splitter.accept(delta).forEach(piece -> addPiece(piece, forVersion));
            return !cancelled && version == forVersion;
        };
        List<ChatMessage> conversation = messages;
        for (int round = 0; ; round++) {
            ChatRequest request = new ChatRequest(persona.llmModel(), conversation, persona.maxTokens(),
                                                  persona.temperature(), round < MAX_TOOL_ROUNDS ? offered : List.of());
            ChatResult result;
            if (round == 0) {
                result = ask(request, sink, anyToken[0]);
            } else {
                try {
                    reply.countLlmRequest();
                    result = services.llm().stream(request, sink);
                } catch (VendorException e) {
                    // The caller heard the filler (or words before the tool call): say sorry rather than nothing.
                    services.metrics().vendorError(e.vendor(), e.kind().name());
                    if (!cancelled) {
                        log.warn("could not answer from the tool's result: " + e.getMessage(), "kind", e.kind().name());
                        addPiece(new Piece(persona.apology(), true, forVersion, false));
                    }
                    return;
                }
            }
            if (cancelled || version != forVersion || !(result instanceof ChatResult.ToolCalls(List<ToolCall> calls))) {
                break;
            }
            splitter.finish().forEach(piece -> addPiece(piece, forVersion));   // what it said before asking
            if (splitter.endCallRequested()) {
                reply.endsCall(true);
            }
            String before = said.toString().replace(SentenceSplitter.END_CALL, "").strip();
            said.setLength(0);
            Optional<List<ChatMessage>> exchange = useTools(calls, before, forVersion);
            if (exchange.isEmpty()) {
                return;
            }
            List<ChatMessage> next = new ArrayList<>(conversation);
            next.addAll(exchange.get());
            conversation = next;
        }
        if (!cancelled && version == forVersion) {
            splitter.finish().forEach(piece -> addPiece(piece, forVersion));
            if (splitter.endCallRequested()) {
                reply.endsCall(true);
            }
        }
    }

    /** Asks the model, retrying once when that is still invisible to the caller (nothing said yet, soon enough). */
    private ChatResult ask(ChatRequest request, LanguageModel.TokenSink sink, boolean saidAnything) {
        TurnTimings t = reply.timings();
        boolean[] tokens = {saidAnything};
        LanguageModel.TokenSink counting = delta -> {
            tokens[0] = true;
            return sink.accept(delta);
        };
        try {
            reply.countLlmRequest();
            return services.llm().stream(request, counting);
        } catch (VendorException e) {
            services.metrics().vendorError(e.vendor(), e.kind().name());
            if (tokens[0] || cancelled || !e.kind().retryable() || now() - t.llmStartNanos > RETRY_WITHIN_NANOS) {
                throw e;
            }
            log.info("retrying the language model once", "kind", e.kind().name());
            reply.countLlmRequest();
            return services.llm().stream(request, sink);
        }
    }

    /**
     * Runs the tools the model asked for and returns the messages that give it their results, or empty when the
     * reply ends here: it was cancelled or replaced, or a tool ends the call or transfers it (then the words for
     * that are queued). A held (speculative) answer first waits to be confirmed: a tool never runs for words the
     * caller may not have finished. While the tools run, the persona's filler is said once if they take longer than
     * {@link #FILLER_AFTER} and the model said nothing before asking. If the reply is cancelled meanwhile (the caller
     * barged in), the tools still finish and their results reach the conversation through the call thread.
     */
    private Optional<List<ChatMessage>> useTools(List<ToolCall> calls, String before, int forVersion) {
        if (held && !awaitSettled(forVersion)) {
            return Optional.empty();
        }
        ToolRunner.Round round = ToolRunner.start(calls, persona.tools(), tools, services.nanoTime());
        long started = now();
        boolean fillerDue = before.isBlank() && !fillerSaid;
        while (!round.allDone()) {
            if (cancelled || version != forVersion) {
                break;
            }
            long now = now();
            round.expire(now);
            if (fillerDue && now - started >= FILLER_AFTER.toNanos()) {
                fillerDue = false;
                fillerSaid = true;
                addPiece(new Piece(persona.tools().filler(), true, forVersion, false));
            }
            try {
                Thread.sleep(TOOL_POLL);
            } catch (InterruptedException e) {
                break;   // cancelled: the results are still delivered, below
            }
        }
        if (!round.allDone()) {
            round.whenAllDone(done -> post.accept(new CallInput.ToolsDone(reply, ToolRunner.exchange(before, done), done)));
            return Optional.empty();
        }
        List<ToolRunner.Done> done = round.results();
        List<ChatMessage> exchange = ToolRunner.exchange(before, done);
        post.accept(new CallInput.ToolsDone(reply, exchange, done));
        if (cancelled || version != forVersion) {
            return Optional.empty();
        }
        for (ToolRunner.Done d : done) {
            if (d.outcome() instanceof ToolOutcome.EndCall) {
                reply.endsCall(true);
                if (before.isBlank()) {
                    addPiece(new Piece(persona.goodbye(), true, forVersion, false));
                }
                return Optional.empty();
            }
            if (d.outcome() instanceof ToolOutcome.Transfer transfer) {
                reply.transfer(transfer);
                if (before.isBlank()) {
                    addPiece(new Piece(persona.tools().transferLine(), true, forVersion, false));
                }
                return Optional.empty();
            }
        }
        return Optional.of(exchange);
    }

    private void addPiece(String text, int forVersion) {
        TurnTimings t = reply.timings();
        if (t.llmFirstPieceNanos == 0) {
            t.llmFirstPieceNanos = now();
        }
        addPiece(new Piece(text, false, forVersion, false));
    }

    private void addPiece(Piece piece) {
        lastQueuedVersion = piece.version();
        pieces.add(piece);
    }

    // ---- speaking -----------------------------------------------------------------------------------------

    private void speakPieces() {
        String previous = "";
        try {
            while (!cancelled) {
                Piece piece = pieces.take();
                if (piece.version() != version) {
                    continue;                   // of an answer that was regenerated: never played
                }
                playout.wordsKnown(reply.number(), now());      // a hole in the audio before this is a pause for words
                if (piece.end()) {
                    if (awaitSettled(piece.version())) {
                        break;
                    }
                    continue;
                }
                if (held) {
                    byte[] audio = synthesizeHeld(piece, previous);
                    if (!awaitSettled(piece.version())) {
                        continue;
                    }
                    if (audio.length > 0) {
                        queue(piece, audio);
                        previous = piece.text();
                    }
                } else if (speakPiece(piece, previous)) {
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

    /** Synthesizes a piece into memory while the answer is held (speculation not yet confirmed). */
    private byte[] synthesizeHeld(Piece piece, String previous) {
        if (piece.phrase()) {
            Optional<byte[]> cached = voice.cachedPhrase(persona.voice(), piece.text());
            if (cached.isPresent()) {
                return cached.get();
            }
        }
        ByteArrayOutputStream audio = new ByteArrayOutputStream(16_384);
        TurnTimings t = reply.timings();
        t.ttsStartNanos = now();
        t.ttsFirstByteNanos = 0;
        try {
            voice.synthesize(new SpeechRequest(piece.text(), persona.voice(), previous), (b, off, len) -> {
                if (cancelled || version != piece.version()) {
                    return false;
                }
                markFirstByte();
                audio.write(b, off, len);
                return audio.size() < MAX_HELD_BYTES;
            });
        } catch (VendorException e) {
            if (!cancelled) {
                log.warn("could not speak a sentence: " + e.getMessage(), "vendor", e.vendor(), "kind", e.kind().name());
            }
        }
        return audio.toByteArray();
    }

    /** Queues a piece's whole audio, then the mark that tells when it has played. */
    private void queue(Piece piece, byte[] audio) {
        playout.audio(reply.number(), audio, 0, audio.length);
        playout.mark(reply.number(), reply.addPiece(piece.text(), PlayoutPacer.mulawNanos(audio.length)));
    }

    /** Streams the audio of one piece into the playout, then its mark; returns whether any audio was queued. */
    private boolean speakPiece(Piece piece, String previous) {
        TurnTimings t = reply.timings();
        if (t.ttsStartNanos == 0) {
            t.ttsStartNanos = now();
        }
        long[] bytes = {0};
        dev.voiceagent.tts.SpeechSynthesizer.AudioSink sink = (b, off, len) -> {
            if (cancelled) {
                return false;
            }
            markFirstByte();
            playout.audio(reply.number(), b, off, len);
            bytes[0] += len;
            return true;
        };
        try {
            if (piece.phrase()) {
                // Cached under the voice that produced it; served from the cache when this call may use it.
                voice.speakPhrase(persona.voice(), piece.text(), sink);
            } else {
                voice.synthesize(new SpeechRequest(piece.text(), persona.voice(), previous), sink);
            }
        } catch (VendorException e) {
            if (!cancelled) {
                log.warn("could not speak a sentence: " + e.getMessage(), "vendor", e.vendor(), "kind", e.kind().name());
            }
        }
        if (cancelled || bytes[0] == 0) {
            return false;
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

    // ---- holding ------------------------------------------------------------------------------------------

    /** Ends the hold; with a new transcript, starts a new version of the answer from it. */
    private void settle(String newTranscript) {
        lock.lock();
        try {
            if (newTranscript != null) {
                regenerateFrom = newTranscript;
                version++;
                reply.timings().ttsStartNanos = 0;
                reply.timings().ttsFirstByteNanos = 0;
            }
            held = false;
            settled.signalAll();
        } finally {
            lock.unlock();
        }
        if (newTranscript != null) {
            reportWords(newTranscript);
        } else if (firstTranscript.isDone() && !firstTranscript.getNow("").isEmpty()) {
            reportWords(firstTranscript.getNow(""));
        }
    }

    /** Tells the call thread, once, the final words of the caller's turn, so they are stored at once. */
    private void reportWords(String text) {
        if (!cancelled && wordsReported.compareAndSet(false, true)) {
            post.accept(new CallInput.Transcribed(reply, text));
        }
    }

    /**
     * Waits while the answer is held. Returns true when {@code forVersion} may be played; false when it was
     * replaced by a regenerated answer or the producer was cancelled.
     */
    private boolean awaitSettled(int forVersion) {
        lock.lock();
        try {
            while (held && !cancelled && version == forVersion) {
                settled.await();
            }
            return !cancelled && version == forVersion;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    private String regenerateText() {
        lock.lock();
        try {
            return regenerateFrom;
        } finally {
            lock.unlock();
        }
    }

    static boolean sameWords(String a, String b) {
        return normalise(a).equals(normalise(b));
    }

    private static String normalise(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", " ").strip();
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
