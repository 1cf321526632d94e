package dev.voiceagent.call;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

import io.helidon.metrics.api.Metrics;

import dev.voiceagent.config.Settings;
import dev.voiceagent.llm.ChatMessage;
import dev.voiceagent.llm.ChatRequest;
import dev.voiceagent.llm.ChatResult;
import dev.voiceagent.llm.LanguageModel;
import dev.voiceagent.llm.ToolCall;
import dev.voiceagent.tools.ToolKit;
import dev.voiceagent.observe.CallMetrics;
import dev.voiceagent.persona.PersonaCatalog;
import dev.voiceagent.store.CallClosed;
import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.CallJournal;
import dev.voiceagent.store.CallOpened;
import dev.voiceagent.store.CallPage;
import dev.voiceagent.store.CallStore;
import dev.voiceagent.store.CallerHistory;
import dev.voiceagent.store.Delivery;
import dev.voiceagent.store.PastCall;
import dev.voiceagent.store.ToolCallRecord;
import dev.voiceagent.store.TurnRecord;
import dev.voiceagent.stt.LiveRecognizers;
import dev.voiceagent.stt.SpeechEvent;
import dev.voiceagent.stt.SpeechStream;
import dev.voiceagent.stt.SpeechToText;
import dev.voiceagent.stt.StreamingSpeechToText;
import dev.voiceagent.stt.Transcript;
import dev.voiceagent.tts.PhraseCache;
import dev.voiceagent.tts.SpeechSynthesizer;
import dev.voiceagent.tts.VoiceRouter;
import dev.voiceagent.twilio.MediaStreamSender;
import dev.voiceagent.twilio.StreamEvent;
import dev.voiceagent.twilio.StreamTokens;
import dev.voiceagent.vendor.VendorException;

/**
 * Runs one real {@link CallSession} with scripted parts, so call logic is tested without real-time audio: the
 * caller's audio is fed frame by frame as fast as the session takes it (the local detector counts frames, not
 * seconds), the live recogniser's events are scripted, the model, voice and Whisper answer at once from scripts,
 * and the session's monotonic clock can be moved forward ({@link #advance}) to reach timers without waiting.
 * Nothing here touches the network; full-socket tests with vendor fakes live in {@code dev.voiceagent.e2e}.
 */
final class CallScript implements AutoCloseable {

    static final String PERSONAS = """
            default: tester
            personas:
              - id: tester
                numbers: ["+15550100001"]
                voice: { id: voice-tester }
                greeting: "Hello."
                reprompt: "Are you there?"
                goodbye: "Goodbye now."
                apology: "Sorry, say that again?"
                prompt: "You are a test agent."
                stt: { model: "MODEL" }
                turnTaking: { endOfTurnMs: 600, repromptAfterSeconds: 8, maxCallMinutes: 5 }
            """;

    static final Duration WAIT = Duration.ofSeconds(5);

    final AtomicLong clockOffset = new AtomicLong();
    private final java.util.function.LongSupplier clock = () -> System.nanoTime() + clockOffset.get();
    /** The session's timed waits end by this clock thread, reading the movable clock. */
    private final Ticker ticker = new Ticker(Duration.ofMillis(20), clock);
    final ScriptedRecognizer recognizer;
    final ScriptedModel llm = new ScriptedModel();
    final ScriptedWhisper whisper = new ScriptedWhisper();
    final Line line = new Line();
    final MemoryStore store = new MemoryStore();
    private final CallJournal journal = new CallJournal(store, 1000);
    private final PersonaCatalog personas;
    private final StreamTokens tokens = new StreamTokens(new byte[32], Duration.ofMinutes(1), Clock.systemUTC());
    private final CallSession session;
    private Thread callThread;
    private final String callSid = "CA" + System.nanoTime();
    private long chunk;

    /** A call with the persona listening through {@code model} (nova-3, Flux or a Whisper id). */
    static CallScript start(String model) {
        CallScript call = new CallScript(PERSONAS.replace("MODEL", model), new ScriptedRecognizer());
        call.dial();
        return call;
    }

    /** A call with the persona listening through {@code model}, not yet placed ({@link #dial}). */
    static CallScript notDialled(String model) {
        return new CallScript(PERSONAS.replace("MODEL", model), new ScriptedRecognizer());
    }

    /** What the call tells its socket reader: how long it may rest ({@link SocketCall#readerMayRestMs()}). */
    int readerMayRestMs() {
        return session.readerMayRestMs();
    }

    /** One message from Twilio as the socket's reader hands it over ({@link SocketCall#receive}). */
    void receive(String json) throws dev.voiceagent.twilio.MalformedFrameException {
        session.receive(json);
    }

    /** The stamp the call gives its reader after the last message ({@link SocketCall#lastFrameStampMillis()}). */
    long lastFrameStampMillis() {
        return session.lastFrameStampMillis();
    }

    /** A call not yet placed ({@link #dial}), so the recogniser can be scripted first. */
    CallScript(String personasYaml, ScriptedRecognizer recognizer) {
        this(personasYaml, recognizer, ToolKit.standard());
    }

    /** A call not yet placed, whose persona's tools are built by {@code tools}. */
    CallScript(String personasYaml, ScriptedRecognizer recognizer, ToolKit tools) {
        this.recognizer = recognizer;
        try {
            Path file = Files.createTempFile("personas", ".yaml");
            Files.writeString(file, personasYaml);
            personas = PersonaCatalog.open(file, Duration.ofSeconds(60), tools);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Settings.Calls calls = new Settings.Calls(Duration.ofMillis(160), Duration.ofMillis(40), Duration.ofMinutes(10),
                                                  Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(2),
                                                  Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(1),
                                                  Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(1),
                                                  Duration.ofMillis(300), Duration.ofMillis(1000), 10,
                                                  Duration.ofMillis(100), Duration.ofMillis(20));
        SpeechSynthesizer voice = (request, sink) -> {
            byte[] audio = new byte[8 * 200];   // 200 ms of (silent) audio per sentence
            java.util.Arrays.fill(audio, (byte) 0x7F);
            sink.accept(audio, 0, audio.length);
        };
        CallServices services = new CallServices(
                calls, personas, whisper, new LiveRecognizers(Optional.of(recognizer), Optional.of(recognizer)), llm,
                new VoiceRouter(Optional.of(voice), voice, new PhraseCache(16, 8 * 30_000), Duration.ofSeconds(30), 10,
                                Duration.ofMillis(250), System::nanoTime, e -> { }, reason -> { }),
                callSid -> { }, tokens, new CallRegistry(), new CallMetrics(Metrics.globalRegistry()),
                journal, new CallerHistory(store, 3, Duration.ofMillis(300)), Duration.ofHours(1),
                clock, ticker, Clock.systemUTC());
        session = new CallSession(services, line);
    }

    /** Places the call: the media stream starts. */
    void dial() {
        callThread = Thread.ofVirtual().name("call-script").start(session);
        session.deliver(new StreamEvent.Start("MZ1", "AC1", callSid,
                                              Map.of("token", tokens.issue(callSid), "from", "+15551230000",
                                                     "to", "+15550100001"),
                                              "audio/x-mulaw", 8000, 1));
    }

    String callSid() {
        return callSid;
    }

    /** The caller says {@code mulaw} (a clip), fed frame by frame at once. */
    void says(byte[] mulaw) {
        for (int off = 0; off < mulaw.length; off += 160) {
            byte[] frame = java.util.Arrays.copyOfRange(mulaw, off, Math.min(mulaw.length, off + 160));
            session.hear(new StreamEvent.Media("MZ1", "inbound", ++chunk, chunk * 20, frame));
        }
    }

    /** {@code millis} of digital silence from the caller. */
    void silence(int millis) {
        byte[] quiet = new byte[8 * millis];
        java.util.Arrays.fill(quiet, (byte) 0xFF);
        says(quiet);
    }

    /** Twilio's echo of every mark sent so far. */
    void marksPlayed() {
        for (String mark : line.unechoedMarks()) {
            session.deliver(new StreamEvent.Mark("MZ1", mark));
        }
    }

    void hangUp() {
        session.deliver(new StreamEvent.Stop("MZ1", callSid));
    }

    /** Moves the session's clock forward (its timers see the time pass at once). */
    void advance(Duration by) {
        clockOffset.addAndGet(by.toNanos());
    }

    /** Waits until the greeting's audio went out and marks it played. */
    void greeted() {
        await(() -> line.marks().contains("r1.end"), "the greeting");
        marksPlayed();
    }

    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Caller turns stored so far, in order. */
    List<String> storedCallerTurns() {
        return store.turns.stream().filter(t -> t.role() == TurnRecord.Role.CALLER).map(TurnRecord::text).toList();
    }

    List<String> storedAgentTurns() {
        return store.turns.stream().filter(t -> t.role() == TurnRecord.Role.AGENT).map(TurnRecord::text).toList();
    }

    @Override
    public void close() {
        hangUp();
        try {
            if (callThread != null) {
                callThread.join(WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        journal.close(Duration.ofSeconds(1));
        personas.close();
        ticker.close();
    }

    // ---- the scripted parts -------------------------------------------------------------------------------

    /**
     * A live recogniser whose words the test decides. {@link #hears} sets what the caller has said so far in the
     * current stretch; each {@code Finalize} is answered at once with those words ({@code from_finalize}).
     */
    static final class ScriptedRecognizer implements StreamingSpeechToText {
        final List<Session> sessions = new CopyOnWriteArrayList<>();
        final Queue<VendorException> openFailures = new ConcurrentLinkedQueue<>();
        final AtomicInteger opens = new AtomicInteger();
        private volatile String pending = "";
        volatile boolean answerFinalize = true;

        @Override
        public SpeechStream open(String label, Consumer<SpeechEvent> events) {
            opens.incrementAndGet();
            VendorException failure = openFailures.poll();
            if (failure != null) {
                throw failure;
            }
            Session s = new Session(events);
            sessions.add(s);
            return s;
        }

        @Override
        public String model() {
            return "scripted";
        }

        /** The words said (not yet final) in the current stretch; the next Finalize returns them. */
        void hears(String words) {
            pending = words;
        }

        Session latest() {
            await(() -> !sessions.isEmpty(), "a recogniser session");
            return sessions.getLast();
        }

        final class Session implements SpeechStream {
            final Consumer<SpeechEvent> events;
            final AtomicLong audioBytes = new AtomicLong();
            final AtomicInteger finalizes = new AtomicInteger();
            volatile boolean closed;

            Session(Consumer<SpeechEvent> events) {
                this.events = events;
            }

            @Override
            public void audio(byte[] mulaw) {
                audioBytes.addAndGet(mulaw.length);
            }

            @Override
            public void finalizeNow() {
                finalizes.incrementAndGet();
                if (answerFinalize) {
                    String words = pending;
                    pending = "";
                    events.accept(new SpeechEvent.Words(words, true, false, true, false));
                }
            }

            @Override
            public void close() {
                closed = true;
            }

            @Override
            public double audioSeconds() {
                return audioBytes.get() / 8000.0;
            }

            @Override
            public int finalizes() {
                return finalizes.get();
            }

            void emit(SpeechEvent event) {
                events.accept(event);
            }
        }
    }

    /**
     * A model that answers each request from a script, token by token, at once. A request that offers tools takes
     * the next queued tool turn, if any: its words first, then its tool calls.
     */
    static final class ScriptedModel implements LanguageModel {
        final List<List<ChatMessage>> requests = new CopyOnWriteArrayList<>();
        final List<ChatRequest> chatRequests = new CopyOnWriteArrayList<>();
        final Queue<ToolTurn> toolTurns = new ConcurrentLinkedQueue<>();
        volatile Function<String, String> replies = caller -> "Sure, I can help with that.";

        /** The next request offering tools says {@code said} and then calls {@code calls}. */
        void callsTools(String said, ToolCall... calls) {
            toolTurns.add(new ToolTurn(said, List.of(calls)));
        }

        @Override
        public ChatResult stream(ChatRequest request, TokenSink sink) {
            requests.add(request.messages());
            chatRequests.add(request);
            ToolTurn turn = request.tools().isEmpty() ? null : toolTurns.poll();
            String caller = request.messages().getLast().content();
            String text = turn != null ? turn.said() : replies.apply(caller);
            for (String word : text.split("(?<= )")) {
                if (!word.isEmpty() && !sink.accept(word)) {
                    return new ChatResult.Stopped();
                }
            }
            return turn != null ? new ChatResult.ToolCalls(turn.calls()) : new ChatResult.Answered();
        }

        record ToolTurn(String said, List<ToolCall> calls) {
        }

        /** The caller's words of each request, in order. */
        List<String> callerWords() {
            return requests.stream().map(m -> m.getLast().content()).toList();
        }
    }

    /** Batch speech-to-text that returns queued transcripts. */
    static final class ScriptedWhisper implements SpeechToText {
        final Queue<String> transcripts = new ConcurrentLinkedQueue<>();
        final AtomicInteger requests = new AtomicInteger();
        private volatile String otherwise = "";

        /** What every request returns once the queued transcripts are used up (default: no words). */
        void transcribesAs(String words) {
            otherwise = words;
        }

        @Override
        public Transcript transcribe(byte[] wav) {
            requests.incrementAndGet();
            String next = transcripts.poll();
            return new Transcript(next == null ? otherwise : next);
        }
    }

    /** What the session sends Twilio: media frames, marks and clears, in order. */
    static final class Line implements MediaStreamSender {
        final List<String> sent = new CopyOnWriteArrayList<>();
        private final List<String> echoed = new CopyOnWriteArrayList<>();

        @Override
        public void send(String json) {
            sent.add(json);
        }

        @Override
        public void close(int code, String reason) {
        }

        List<String> marks() {
            List<String> names = new ArrayList<>();
            for (String json : sent) {
                int at = json.indexOf("\"name\":\"");
                if (json.contains("\"event\":\"mark\"") && at >= 0) {
                    names.add(json.substring(at + 8, json.indexOf('"', at + 8)));
                }
            }
            return names;
        }

        List<String> unechoedMarks() {
            List<String> fresh = new ArrayList<>(marks());
            fresh.removeAll(echoed);
            echoed.addAll(fresh);
            return fresh;
        }

        int clears() {
            return (int) sent.stream().filter(j -> j.contains("\"event\":\"clear\"")).count();
        }

        /** Media frames sent for reply {@code n} (its marks are {@code r<n>.*}). */
        boolean anyMarkOf(long reply) {
            return marks().stream().anyMatch(m -> m.startsWith("r" + reply + "."));
        }
    }

    /** The store, in memory: only what a call writes and reads. */
    static final class MemoryStore implements CallStore {
        final List<TurnRecord> turns = new CopyOnWriteArrayList<>();
        final List<CallClosed> closed = new CopyOnWriteArrayList<>();
        final List<ToolCallRecord> toolCalls = new CopyOnWriteArrayList<>();

        @Override
        public void open(CallOpened call) {
        }

        @Override
        public void addTurn(TurnRecord turn) {
            turns.add(turn);
        }

        @Override
        public void addToolCall(ToolCallRecord call) {
            toolCalls.add(call);
        }

        @Override
        public void close(CallClosed call, Instant giveUpAt) {
            closed.add(call);
        }

        @Override
        public void sessionOutcome(String callSid, String outcome) {
            throw new UnsupportedOperationException("not used by a media-stream call");
        }

        @Override
        public List<PastCall> recentCalls(String fromNumber, int limit) {
            return List.of();
        }

        @Override
        public int abandonStale(Instant startedBefore, Instant giveUpAt) {
            throw new UnsupportedOperationException("not used by a call");
        }

        @Override
        public CallPage calls(Optional<String> phone, int limit, int offset) {
            throw new UnsupportedOperationException("not used by a call");
        }

        @Override
        public Optional<CallDetail> call(String callSid) {
            throw new UnsupportedOperationException("not used by a call");
        }

        @Override
        public List<Delivery> claimDue(int max, Duration lease) {
            return Collections.emptyList();
        }

        @Override
        public void saveProgress(long deliveryId, Map<String, String> progress) {
            throw new UnsupportedOperationException("not used by a call");
        }

        @Override
        public void delivered(long deliveryId) {
            throw new UnsupportedOperationException("not used by a call");
        }

        @Override
        public void retryAt(long deliveryId, Instant next, String error) {
            throw new UnsupportedOperationException("not used by a call");
        }

        @Override
        public void failed(long deliveryId, String error) {
            throw new UnsupportedOperationException("not used by a call");
        }

        @Override
        public void extracted(long deliveryId, String callSid, String summary, Map<String, String> facts,
                              List<String> then, Instant giveUpAt) {
            throw new UnsupportedOperationException("not used by a call");
        }

        @Override
        public void extractionFailed(long deliveryId, String error, List<String> then, Instant giveUpAt) {
            throw new UnsupportedOperationException("not used by a call");
        }

        @Override
        public Map<String, Long> backlog() {
            return Map.of();
        }
    }
}
