package dev.voiceagent.fakes;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.voiceagent.audio.MuLaw;

/**
 * The WebSocket side of the fake Workers AI: {@code @cf/deepgram/nova-3} and {@code @cf/deepgram/flux} live
 * transcription (Deepgram's protocols as Workers AI carries them), on the same host and port as
 * {@link FakeCloudflare} ({@code GET /accounts/{id}/ai/run/@cf/deepgram/nova-3?…}, optional {@code /client/v4}
 * prefix, {@code Upgrade: websocket}, {@code Authorization: Bearer {apiToken}}). Reach it as
 * {@link FakeCloudflare#streaming()}. All methods are thread-safe.
 *
 * <h2>Handshake</h2>
 * A wrong or missing token gets HTTP 401 with the Cloudflare error envelope (code 10000). Query checks (schema):
 * nova-3 needs {@code encoding} {@code mulaw} or {@code linear16} with a numeric {@code sample_rate}; Flux needs
 * {@code encoding=linear16} and a numeric {@code sample_rate}; otherwise 400 (code 5006). Faults ({@link StreamFault})
 * come first: {@link #failNext} for the next session(s), {@link #failAlways} for all: refuse with a status (401, 429,
 * 500, 503 …), never answer, accept and then cut the TCP connection / close with a code after a delay, or accept and
 * never read (a hung vendor; the idle limit still closes it).
 * {@link #cutAll()}, {@link #closeAll(int, String)}, {@link Session#cut()} and {@link Session#close(int, String)} do it
 * on demand.
 *
 * <h2>What the caller says</h2>
 * The fake cannot recognise speech, so tests script it: each turn's text comes from {@link #queueUtterances} (one
 * queue for all sessions, taken when a turn starts) or, when that is empty, from the {@link #speaker(Speaker)}
 * (default: nothing, so transcripts are empty). A {@code |} in a turn's text marks a pause inside it. An energy
 * detector follows the audio in 20 ms frames ({@link SpeechDetector}: above -40 dBFS and 3 dB above the last
 * second's quietest frame; -30 dBFS white noise alone is not speech). Stretches of speech separated by at least
 * {@value #SEGMENT_GAP_MS} ms of non-speech are segments: segment k says part k of the text (see
 * {@link ScriptedTurn}: ~{@value ScriptedTurn#MS_PER_WORD} ms of speech per word, the whole part at the segment's
 * end; extra segments belong to the last part; parts that get no segment are never said). All timing is in audio
 * time (frames received), except that messages leave {@link #transcriptLag(Duration)} (150 ms) after the audio they
 * describe and a {@code Finalize} answer {@link #finalizeLag(Duration)} (75 ms) after the request.
 *
 * <h2>nova-3</h2>
 * <ul>
 *     <li>{@code SpeechStarted} (with {@code vad_events=true}) at a turn's first speech frame; a turn starts with
 *     speech after the previous one ended.</li>
 *     <li>Interim {@code Results} ({@code is_final:false}, the words of the not yet finalized stretch) every ~250 ms
 *     of speech.</li>
 *     <li>{@code Finalize}: a {@code Results} with {@code is_final:true, from_finalize:true} and the words not yet
 *     finalized (possibly an empty transcript), in or out of a turn. Received in a pause (40 ms or more of
 *     non-speech), it first ends the segment, so all the words of that stretch are in the answer (Deepgram flushes
 *     everything it heard). It overtakes interims still waiting out the
 *     transcript lag, which are then withdrawn (they would describe words already final).</li>
 *     <li>{@code endpointing} ms of non-speech after speech: {@code is_final:true, speech_final:true} with the
 *     remaining words (empty when a Finalize took them); the turn ends there. {@code utterance_end_ms} of
 *     non-speech after the last final word: {@code UtteranceEnd} (once per run of final words).</li>
 *     <li>{@code CloseStream}: the remaining words as a final {@code Results}, a {@code Metadata}, close 1000.</li>
 *     <li>{@code KeepAlive}: no answer. No message at all (audio or text) for {@link #idleTimeout(Duration)} (10 s):
 *     {@code {"type":"Error","code":"NET-0001",…}} then close 1011 (Deepgram's NET-0001; the exact error shape
 *     through Workers AI is unconfirmed).</li>
 * </ul>
 *
 * <h2>Flux</h2>
 * Messages are {@code {"type":"TurnInfo","event":…,"turn_index","transcript","words","end_of_turn_confidence",
 * "sequence_id","request_id","audio_window_start","audio_window_end"}}, after a {@code Connected} at open.
 * {@code StartOfTurn} at a turn's first speech; {@code Update} (the whole turn so far) every ~250 ms of audio in a
 * turn; with {@code eager_eot_threshold} set, {@code EagerEndOfTurn} once the caller has been silent for the eager
 * time (200 ms, {@link #fluxTiming}) and the words so far end a scripted part, and {@code TurnResumed} if speech then
 * comes back; {@code EndOfTurn} after the end time (400 ms) of silence, with the same transcript as the
 * {@code EagerEndOfTurn} before it; then {@code turn_index} increments. {@code CloseStream}: a last {@code Update},
 * then a close frame without a status code (no {@code EndOfTurn}, as Deepgram documents). The idle limit applies too.
 *
 * <h2>Records</h2>
 * {@link #sessions()} in order of opening: model, query parameters, audio bytes, control messages with times, messages
 * sent. {@link #recording(boolean) recording(false)} (load tests) keeps only the counts ({@link #handshakeCount()},
 * {@link #sessionCount()}, {@link #openSessionCount()}).
 */
public final class FakeStreamingStt implements AutoCloseable {

    /** nova-3's model id. */
    public static final String NOVA3 = "@cf/deepgram/nova-3";
    /** Flux's model id. */
    public static final String FLUX = "@cf/deepgram/flux";
    /** Non-speech that separates two segments of speech. */
    public static final int SEGMENT_GAP_MS = 150;

    private static final int FRAME_MS = 20;
    private static final int INTERIM_EVERY_MS = 250;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(1);

    private final String accountId;
    private final String apiToken;
    private final IntFunction<String> errorBody;
    private final ObjectMapper json = new ObjectMapper();

    private final Queue<String> utterances = new ConcurrentLinkedQueue<>();
    private volatile Speaker speaker = (session, turn) -> "";
    private volatile Duration idleTimeout = Duration.ofSeconds(10);
    private volatile Duration transcriptLag = Duration.ofMillis(150);
    private volatile Duration finalizeLag = Duration.ofMillis(75);
    private volatile Duration fluxEager = Duration.ofMillis(200);
    private volatile Duration fluxEnd = Duration.ofMillis(400);

    private final Queue<StreamFault> nextFaults = new ConcurrentLinkedQueue<>();
    private volatile StreamFault standingFault;

    private volatile boolean recording = true;
    private final List<Session> sessions = new CopyOnWriteArrayList<>();
    private final Set<Session> open = ConcurrentHashMap.newKeySet();
    private final Set<Socket> stalled = ConcurrentHashMap.newKeySet();
    private final AtomicInteger handshakes = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean closed;

    /**
     * @param errorBody the Cloudflare error envelope for an HTTP status
     */
    FakeStreamingStt(String accountId, String apiToken, IntFunction<String> errorBody) {
        this.accountId = Objects.requireNonNull(accountId, "accountId");
        this.apiToken = Objects.requireNonNull(apiToken, "apiToken");
        this.errorBody = Objects.requireNonNull(errorBody, "errorBody");
    }

    /** Computes a turn's text when the queue is empty. */
    @FunctionalInterface
    public interface Speaker {

        /**
         * @param session   the session the turn belongs to
         * @param turnIndex 0 for the session's first turn
         * @return the text, {@code |} marking pauses; {@code ""} for a turn without words
         */
        String say(Session session, int turnIndex);
    }

    // ---- script and timing

    /** Texts of the next turns (of whichever sessions start turns first), in order. */
    public void queueUtterances(String... turns) {
        for (String turn : turns) {
            utterances.add(Objects.requireNonNull(turn, "turn"));
        }
    }

    /** Decides a turn's text when the queue is empty; the default says nothing ({@code ""}). */
    public void speaker(Speaker speaker) {
        this.speaker = Objects.requireNonNull(speaker, "speaker");
    }

    /** A session with no message from the client for this long is closed (NET-0001); default 10 s. */
    public void idleTimeout(Duration timeout) {
        this.idleTimeout = positive(timeout);
    }

    /** How long after the audio it describes a transcript message leaves; default 150 ms. */
    public void transcriptLag(Duration lag) {
        this.transcriptLag = notNegative(lag);
    }

    /** How long after a {@code Finalize} its answer leaves; default 75 ms. */
    public void finalizeLag(Duration lag) {
        this.finalizeLag = notNegative(lag);
    }

    /** Flux: silence before {@code EagerEndOfTurn} (default 200 ms) and before {@code EndOfTurn} (default 400 ms). */
    public void fluxTiming(Duration eager, Duration endOfTurn) {
        this.fluxEager = positive(eager);
        this.fluxEnd = positive(endOfTurn);
    }

    // ---- faults

    /** The next session (one per call, in order) suffers {@code fault}. */
    public void failNext(StreamFault fault) {
        nextFaults.add(Objects.requireNonNull(fault, "fault"));
    }

    /** Every new session suffers {@code fault} until {@link #clearFaults()}; queued ones win. */
    public void failAlways(StreamFault fault) {
        this.standingFault = Objects.requireNonNull(fault, "fault");
    }

    public void clearFaults() {
        nextFaults.clear();
        standingFault = null;
    }

    /** Drops the TCP connection of every open session now, without a close frame. */
    public void cutAll() {
        open.forEach(Session::cut);
    }

    /** Sends a close frame with {@code code} to every open session now. */
    public void closeAll(int code, String reason) {
        open.forEach(session -> session.close(code, reason));
    }

    // ---- records

    /** Whether sessions are kept for inspection; default on. Off: only the counts. */
    public void recording(boolean on) {
        this.recording = on;
    }

    /** Recorded sessions, in order of opening. */
    public List<Session> sessions() {
        return List.copyOf(sessions);
    }

    /** The most recently opened recorded session. */
    public Session lastSession() {
        if (sessions.isEmpty()) {
            throw new IllegalStateException("no session was opened");
        }
        return sessions.getLast();
    }

    /** Waits until at least {@code count} sessions were opened (recorded ones); returns the {@code count}-th. */
    public Session awaitSession(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (sessions.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + sessions.size() + " of " + count + " sessions opened in " + timeout);
            }
            Thread.sleep(5);
        }
        return sessions.get(count - 1);
    }

    /** Upgrade requests seen for the two models, refused ones included. */
    public int handshakeCount() {
        return handshakes.get();
    }

    /** Sessions accepted (101 sent). */
    public int sessionCount() {
        return accepted.get();
    }

    /** Sessions open now. */
    public int openSessionCount() {
        return open.size();
    }

    @Override
    public void close() {
        closed = true;
        open.forEach(Session::cut);
        stalled.forEach(FakeStreamingStt::closeQuietly);
    }

    // ---- the front door's side

    /** Whether an upgrade request is for one of the two models of this account. */
    boolean claims(HttpHead head) {
        return modelOf(head.path()) != null;
    }

    /** Serves one upgrade request on the calling (virtual) thread until the session ends. */
    void serve(Socket socket, InputStream in, HttpHead head) {
        handshakes.incrementAndGet();
        String model = modelOf(head.path());
        Map<String, String> query = parseQuery(head.rawQuery());
        StreamFault queued = nextFaults.poll();
        StreamFault fault = queued != null ? queued : standingFault;
        try {
            if (fault instanceof StreamFault.Refuse refuse) {
                refuse(socket, refuse.httpStatus(), errorBody.apply(refuse.httpStatus()));
                return;
            }
            if (fault instanceof StreamFault.NeverAnswer) {
                holdUnanswered(socket, in);
                return;
            }
            if (!("Bearer " + apiToken).equals(head.header("Authorization"))) {
                refuse(socket, 401, errorBody.apply(401));
                return;
            }
            String invalid = invalidQuery(model, query);
            if (invalid != null) {
                refuse(socket, 400, error(5006, "Error: " + invalid));
                return;
            }
            WebSocketServerConnection connection = WebSocketServerConnection.accept(socket, in, head);
            Session session = new Session(accepted.incrementAndGet(), model, query, connection);
            if (recording) {
                sessions.add(session);
            }
            open.add(session);
            try {
                session.run(fault);
            } finally {
                open.remove(session);
            }
        } catch (IOException e) {
            closeQuietly(socket);
        }
    }

    private void holdUnanswered(Socket socket, InputStream in) throws IOException {
        stalled.add(socket);
        try (socket) {
            if (closed) {
                return;
            }
            while (in.read() >= 0) {
                // the client gives up by closing; anything it sends is ignored
            }
        } finally {
            stalled.remove(socket);
        }
    }

    private void refuse(Socket socket, int status, String body) throws IOException {
        WebSocketServerConnection.refuse(socket, status, "application/json", body);
    }

    private static String invalidQuery(String model, Map<String, String> query) {
        String encoding = query.get("encoding");
        String rate = query.get("sample_rate");
        boolean numericRate = rate != null && rate.matches("[0-9]+") && Integer.parseInt(rate) >= 8000
                && Integer.parseInt(rate) % 50 == 0;
        if (model.equals(FLUX)) {
            if (!"linear16".equals(encoding)) {
                return "encoding must be 'linear16' (got " + encoding + ")";
            }
            return numericRate ? null : "sample_rate must match ^[0-9]+$ (got " + rate + ")";
        }
        if (encoding != null && !encoding.equals("mulaw") && !encoding.equals("linear16")) {
            return "this fake takes encoding 'mulaw' or 'linear16' (got " + encoding + ")";
        }
        if (encoding != null && !numericRate) {
            return "sample_rate is required with encoding (got " + rate + ")";
        }
        return null;
    }

    private String modelOf(String rawPath) {
        String path = rawPath.startsWith("/client/v4/") ? rawPath.substring("/client/v4".length()) : rawPath;
        String prefix = "/accounts/" + accountId + "/ai/run/";
        if (!path.startsWith(prefix)) {
            return null;
        }
        String model = path.substring(prefix.length());
        return model.equals(NOVA3) || model.equals(FLUX) ? model : null;
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.putIfAbsent(name, value);
        }
        return query;
    }

    private String error(int code, String message) {
        ObjectNode envelope = json.createObjectNode();
        envelope.putArray("errors").addObject().put("code", code).put("message", message);
        envelope.put("success", false);
        envelope.putObject("result");
        envelope.putArray("messages");
        return envelope.toString();
    }

    private static Duration positive(Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("must be positive: " + value);
        }
        return value;
    }

    private static Duration notNegative(Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException("must not be negative: " + value);
        }
        return value;
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** A control message the client sent: its {@code type} ({@code "?"} when unreadable) and when. */
    public record Control(String type, long atMillis) {
    }

    /**
     * One WebSocket session. Threads: the front door's thread reads the client and runs the transcript model; one
     * virtual thread sends, in due order, what the model scheduled.
     */
    public final class Session {

        private final int number;
        private final String model;
        private final Map<String, String> query;
        private final WebSocketServerConnection connection;
        private final long openedNanos = System.nanoTime();
        private final String requestId = UUID.randomUUID().toString();
        private final AtomicLong audioBytes = new AtomicLong();
        private final java.io.ByteArrayOutputStream audio = new java.io.ByteArrayOutputStream();
        private final List<Control> controls = new CopyOnWriteArrayList<>();
        private final List<String> sent = new CopyOnWriteArrayList<>();
        private final DelayQueue<Outgoing> outbox = new DelayQueue<>();
        private final AtomicLong sequence = new AtomicLong();
        private final CountDownLatch ended = new CountDownLatch(1);
        private final CountDownLatch readerDone = new CountDownLatch(1);
        private volatile long lastHeardNanos = System.nanoTime();
        private volatile String endedHow = "";
        private long lastDueNanos;
        private Model transcriber;

        private Session(int number, String model, Map<String, String> query, WebSocketServerConnection connection) {
            this.number = number;
            this.model = model;
            this.query = Collections.unmodifiableMap(query);
            this.connection = connection;
        }

        /** 1 for the first session this fake accepted. */
        public int number() {
            return number;
        }

        public String model() {
            return model;
        }

        /** The handshake's query parameters (first value of each). */
        public Map<String, String> query() {
            return query;
        }

        /** Audio bytes received (as sent: mu-law bytes, or PCM bytes for linear16). */
        public long audioBytes() {
            return audioBytes.get();
        }

        /** The audio bytes received, joined (empty when not {@link #recording(boolean) recording}). */
        public byte[] audio() {
            synchronized (audio) {
                return audio.toByteArray();
            }
        }

        /** Control messages received, in order. */
        public List<Control> controls() {
            return List.copyOf(controls);
        }

        /** The types of {@link #controls()}, e.g. {@code [KeepAlive, Finalize, CloseStream]}. */
        public List<String> controlTypes() {
            return controls.stream().map(Control::type).toList();
        }

        /** JSON messages sent to the client, in order. */
        public List<String> sent() {
            return List.copyOf(sent);
        }

        /** Whether the socket is still open. */
        public boolean isOpen() {
            return ended.getCount() > 0;
        }

        /** How the session ended: e.g. {@code "client closed 1000"}, {@code "closed 1011 NET-0001"}, {@code "cut"}. */
        public String endedHow() {
            return endedHow;
        }

        /** Waits for the session to end; returns whether it did within {@code timeout}. */
        public boolean awaitEnd(Duration timeout) throws InterruptedException {
            return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        /**
         * Sends {@code text} as one text message now, outside the transcript model: for messages the model never
         * sends (malformed JSON, unknown types, an {@code Error}).
         */
        public void sendRaw(String text) {
            schedule(Duration.ZERO, Outgoing.text(text, false));
        }

        /** Drops the TCP connection now, without a close frame. */
        public void cut() {
            finish("cut");
            connection.cut();
        }

        /** Sends a close frame with {@code code} now. */
        public void close(int code, String reason) {
            try {
                finish("closed " + code + (reason.isEmpty() ? "" : " " + reason));   // first: see idleClose
                connection.sendClose(code, reason);
            } catch (IOException e) {
                connection.cut();
            }
        }

        // ---- running

        private void run(StreamFault fault) {
            transcriber = model.equals(FLUX) ? new FluxModel(this) : new NovaModel(this);
            Thread sender = Thread.ofVirtual().name("fake-stt-send-" + number).start(this::sendLoop);
            switch (fault) {
                case StreamFault.CutAfter cut -> schedule(cut.after(), Outgoing.cut());
                case StreamFault.CloseAfter close -> schedule(close.after(), Outgoing.close(close.code(), close.reason()));
                case null, default -> {
                }
            }
            transcriber.opened();
            try {
                if (fault instanceof StreamFault.StopReading) {
                    ended.await();
                    return;
                }
                while (true) {
                    WebSocketServerConnection.Message message = connection.read();
                    lastHeardNanos = System.nanoTime();
                    switch (message) {
                        case WebSocketServerConnection.Binary binary -> {
                            audioBytes.addAndGet(binary.bytes().length);
                            if (recording) {
                                synchronized (audio) {
                                    audio.writeBytes(binary.bytes());
                                }
                            }
                            transcriber.audio(binary.bytes());
                        }
                        case WebSocketServerConnection.Text text -> control(text.text());
                        case WebSocketServerConnection.Close close -> {
                            finish("client closed " + close.code());
                            return;
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                finish(endedHow.isEmpty() ? "connection lost: " + e.getMessage() : endedHow);
            } catch (InterruptedException e) {
                finish("fake closing");
            } finally {
                readerDone.countDown();
                outbox.add(Outgoing.stop());
                connection.close();
                try {
                    sender.join(CLOSE_WAIT.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private void control(String text) {
            String type;
            try {
                JsonNode node = json.readTree(text);
                type = node != null && node.path("type").isTextual() ? node.path("type").asText() : "?";
            } catch (IOException e) {
                type = "?";
            }
            if (recording) {
                controls.add(new Control(type, millisSinceOpen()));
            }
            transcriber.control(type);
        }

        private void finish(String how) {
            if (ended.getCount() > 0) {
                endedHow = how;
                ended.countDown();
            }
        }

        private long millisSinceOpen() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openedNanos);
        }

        // ---- sending (the model schedules, the sender thread sends)

        /** Schedules a message {@code after} from now, never before one already scheduled. */
        private void schedule(Duration after, Outgoing out) {
            long due = System.nanoTime() + after.toNanos();
            synchronized (outbox) {
                due = Math.max(due, lastDueNanos);
                lastDueNanos = due;
            }
            outbox.add(out.at(due));
        }

        /** Schedules without the ordering floor: an answer that overtakes the transcript lag. */
        private void scheduleEarly(Duration after, Outgoing out) {
            outbox.add(out.at(System.nanoTime() + after.toNanos()));
        }

        private void withdrawInterims() {
            outbox.removeIf(Outgoing::interim);
        }

        private void sendLoop() {
            try {
                while (true) {
                    long idleLeft = lastHeardNanos + idleTimeout.toNanos() - System.nanoTime();
                    Outgoing next = outbox.poll(Math.max(1, idleLeft), TimeUnit.NANOSECONDS);
                    if (next == null) {
                        if (System.nanoTime() - lastHeardNanos >= idleTimeout.toNanos()) {
                            idleClose();
                            return;
                        }
                        continue;
                    }
                    switch (next.kind()) {
                        case TEXT -> {
                            connection.sendText(next.text());
                            if (recording) {
                                sent.add(next.text());
                            }
                        }
                        case CLOSE -> {
                            finish("closed " + next.code() + (next.text().isEmpty() ? "" : " " + next.text()));
                            connection.sendClose(next.code(), next.text());
                            awaitReaderThenClose();
                            return;
                        }
                        case CLOSE_WITHOUT_STATUS -> {
                            finish("closed without status");
                            connection.sendCloseWithoutStatus();
                            awaitReaderThenClose();
                            return;
                        }
                        case CUT -> {
                            cut();
                            return;
                        }
                        case STOP -> {
                            return;
                        }
                    }
                }
            } catch (IOException e) {
                finish(endedHow.isEmpty() ? "send failed: " + e.getMessage() : endedHow);
                connection.close();
            } catch (InterruptedException e) {
                connection.close();
            }
        }

        private void idleClose() throws IOException, InterruptedException {
            ObjectNode error = json.createObjectNode().put("type", "Error").put("code", "NET-0001")
                    .put("description", "Deepgram did not receive audio data or a text message within the timeout "
                            + "window. See https://dpgr.am/net0001");
            if (model.equals(FLUX)) {
                error.put("sequence_id", sequence.getAndIncrement());
            }
            connection.sendText(error.toString());
            if (recording) {
                sent.add(error.toString());
            }
            // Recorded before the close goes out, so whoever sees the close finds how the session ended.
            finish("closed 1011 NET-0001");
            connection.sendClose(1011, "NET-0001");
            awaitReaderThenClose();
        }

        private void awaitReaderThenClose() throws InterruptedException {
            readerDone.await(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            connection.close();
        }

        private String nextUtterance(int turnIndex) {
            String queued = utterances.poll();
            return queued != null ? queued : Objects.requireNonNullElse(speaker.say(this, turnIndex), "");
        }

        private ObjectNode object() {
            return json.createObjectNode();
        }
    }

    /** One thing the sender does, at a due time; ties keep scheduling order. */
    private record Outgoing(Kind kind, String text, int code, boolean interim, long dueNanos, long order)
            implements Delayed {

        private static final AtomicLong ORDER = new AtomicLong();

        enum Kind { TEXT, CLOSE, CLOSE_WITHOUT_STATUS, CUT, STOP }

        static Outgoing text(String json, boolean interim) {
            return new Outgoing(Kind.TEXT, json, 0, interim, 0, 0);
        }

        static Outgoing close(int code, String reason) {
            return new Outgoing(Kind.CLOSE, reason, code, false, 0, 0);
        }

        static Outgoing closeWithoutStatus() {
            return new Outgoing(Kind.CLOSE_WITHOUT_STATUS, "", 0, false, 0, 0);
        }

        static Outgoing cut() {
            return new Outgoing(Kind.CUT, "", 0, false, 0, 0);
        }

        static Outgoing stop() {
            return new Outgoing(Kind.STOP, "", 0, false, System.nanoTime(), ORDER.getAndIncrement());
        }

        Outgoing at(long due) {
            return new Outgoing(kind, text, code, interim, due, ORDER.getAndIncrement());
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            Outgoing that = (Outgoing) other;
            int byDue = Long.compare(dueNanos, that.dueNanos);
            return byDue != 0 ? byDue : Long.compare(order, that.order);
        }
    }

    /** A transcript model: sees the audio and control messages on the reader thread, schedules what to send. */
    private abstract class Model {

        final Session session;
        final SpeechDetector detector = new SpeechDetector();
        final boolean linear16;
        final short[] frame;
        int frameFill;
        int oddByte = -1;
        long audioMs;

        Model(Session session) {
            this.session = session;
            this.linear16 = "linear16".equals(session.query.get("encoding"));
            int rate = Integer.parseInt(session.query.getOrDefault("sample_rate", "8000"));
            this.frame = new short[rate * FRAME_MS / 1000];
        }

        void opened() {
        }

        /** Splits the audio into 20 ms frames of samples. */
        final void audio(byte[] bytes) {
            int i = 0;
            if (linear16 && oddByte >= 0 && bytes.length > 0) {
                sample((short) ((oddByte & 0xFF) | (bytes[0] << 8)));
                oddByte = -1;
                i = 1;
            }
            if (linear16) {
                for (; i + 1 < bytes.length; i += 2) {
                    sample((short) ((bytes[i] & 0xFF) | (bytes[i + 1] << 8)));
                }
                if (i < bytes.length) {
                    oddByte = bytes[i];
                }
            } else {
                for (; i < bytes.length; i++) {
                    sample(MuLaw.decode(bytes[i]));
                }
            }
        }

        private void sample(short value) {
            frame[frameFill++] = value;
            if (frameFill == frame.length) {
                frameFill = 0;
                audioMs += FRAME_MS;
                frame(detector.isSpeech(frame, frame.length));
            }
        }

        abstract void frame(boolean speech);

        abstract void control(String type);

        double seconds(long ms) {
            return ms / 1000.0;
        }
    }

    /** nova-3 (Deepgram v1 live). */
    private final class NovaModel extends Model {

        private final boolean vadEvents;
        private final int endpointingMs;
        private final int utteranceEndMs;
        private ScriptedTurn turn;
        private int turns;
        private boolean inTurn;
        private int finalized;
        private long finalizedAtMs;
        private int silenceMs;
        private int interimMs;
        private long lastSpeechMs;
        private boolean utteranceEndPending;

        NovaModel(Session session) {
            super(session);
            this.vadEvents = "true".equals(session.query.get("vad_events"));
            this.endpointingMs = millis(session.query.get("endpointing"), 10);
            this.utteranceEndMs = millis(session.query.get("utterance_end_ms"), -1);
        }

        private static int millis(String value, int otherwise) {
            if (value == null || value.equals("true")) {
                return otherwise;
            }
            return value.matches("[0-9]+") ? Integer.parseInt(value) : -1; // "false": off
        }

        @Override
        void frame(boolean speech) {
            if (speech) {
                silenceMs = 0;
                lastSpeechMs = audioMs;
                if (!inTurn) {
                    inTurn = true;
                    turn = new ScriptedTurn(session.nextUtterance(turns++));
                    finalized = 0;
                    interimMs = 0;
                    if (vadEvents) {
                        session.schedule(Duration.ZERO, Outgoing.text(session.object().put("type", "SpeechStarted")
                                .<ObjectNode>set("channel", channels()).put("timestamp", seconds(audioMs - FRAME_MS))
                                .toString(), false));
                    }
                }
                turn.speech(FRAME_MS);
                interimMs += FRAME_MS;
                if (interimMs >= INTERIM_EVERY_MS) {
                    interimMs = 0;
                    if (turn.said() > finalized) {
                        session.schedule(transcriptLag, Outgoing.text(results(false, false, false), true));
                    }
                }
                return;
            }
            silenceMs += FRAME_MS;
            if (inTurn) {
                if (silenceMs >= SEGMENT_GAP_MS) {
                    turn.endSegment();
                }
                if (endpointingMs >= 0 && silenceMs >= endpointingMs) {
                    finalResult(true, false, transcriptLag);
                    inTurn = false;
                }
            }
            if (utteranceEndPending && utteranceEndMs >= 0 && silenceMs >= utteranceEndMs) {
                utteranceEndPending = false;
                session.schedule(transcriptLag, Outgoing.text(session.object().put("type", "UtteranceEnd")
                        .<ObjectNode>set("channel", channels()).put("last_word_end", seconds(lastSpeechMs))
                        .toString(), false));
                if (endpointingMs < 0) {
                    inTurn = false; // with endpointing off, the utterance end is the turn's end
                }
            }
        }

        @Override
        void control(String type) {
            switch (type) {
                case "Finalize" -> {
                    // Deepgram flushes all the audio it has: a caller who has stopped talking has said all the words
                    // of the stretch just ended, so a Finalize in a pause ends the segment (as 150 ms would).
                    if (inTurn && silenceMs >= 2 * FRAME_MS) {
                        turn.endSegment();
                    }
                    finalResult(false, true, finalizeLag);
                }
                case "CloseStream" -> {
                    if (inTurn) {
                        turn.endSegment();
                    }
                    finalResult(false, false, transcriptLag);
                    inTurn = false;
                    session.schedule(transcriptLag, Outgoing.text(metadata(), false));
                    session.schedule(transcriptLag, Outgoing.close(1000, ""));
                }
                default -> {
                    // KeepAlive needs no answer; unknown types are ignored
                }
            }
        }

        private void finalResult(boolean speechFinal, boolean fromFinalize, Duration lag) {
            String message = results(true, speechFinal, fromFinalize);
            boolean words = turn != null && turn.said() > finalized;
            if (turn != null) {
                finalized = turn.said();
            }
            finalizedAtMs = audioMs;
            if (fromFinalize) {
                // the answer overtakes interims still waiting out the transcript lag: they would be stale after it
                session.withdrawInterims();
                session.scheduleEarly(lag, Outgoing.text(message, false));
            } else {
                session.schedule(lag, Outgoing.text(message, false));
            }
            if (words) {
                utteranceEndPending = true;
            }
        }

        private String results(boolean isFinal, boolean speechFinal, boolean fromFinalize) {
            int said = turn == null ? 0 : turn.said();
            List<String> words = turn == null ? List.of() : turn.words(finalized, said);
            double start = seconds(finalizedAtMs);
            double duration = seconds(audioMs - finalizedAtMs);
            ObjectNode message = session.object().put("type", "Results");
            message.set("channel_index", channels());
            message.put("duration", duration).put("start", start).put("is_final", isFinal)
                    .put("speech_final", speechFinal).put("from_finalize", fromFinalize);
            ObjectNode alternative = message.putObject("channel").putArray("alternatives").addObject();
            alternative.put("transcript", String.join(" ", words)).put("confidence", words.isEmpty() ? 0.0 : 0.98);
            ArrayNode list = alternative.putArray("words");
            for (int i = 0; i < words.size(); i++) {
                double wordStart = start + duration * i / words.size();
                list.addObject().put("word", bare(words.get(i))).put("start", wordStart)
                        .put("end", wordStart + duration / words.size()).put("confidence", 0.98)
                        .put("punctuated_word", words.get(i));
            }
            ObjectNode metadata = message.putObject("metadata").put("request_id", session.requestId);
            metadata.putObject("model_info").put("name", "2-general-nova").put("version", "2024-01-09.29447")
                    .put("arch", "nova-3");
            metadata.put("model_uuid", "1dbdfb4d-85b2-4659-9292-1c9b2e6f5d2e");
            return message.toString();
        }

        private String metadata() {
            return session.object().put("type", "Metadata").put("transaction_key", "deprecated")
                    .put("request_id", session.requestId)
                    .put("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
                    .put("created", java.time.Instant.now().toString()).put("duration", seconds(audioMs))
                    .put("channels", 1).toString();
        }

        private ArrayNode channels() {
            return json.createArrayNode().add(0).add(1);
        }

        private static String bare(String word) {
            return word.replaceAll("[^\\p{L}\\p{N}']", "").toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Flux (Deepgram v2). */
    private final class FluxModel extends Model {

        private final boolean eager;
        private ScriptedTurn turn;
        private int turnIndex;
        private boolean inTurn;
        private boolean eagerSent;
        private String eagerTranscript = "";
        private long turnStartMs;
        private int silenceMs;
        private int updateMs;

        FluxModel(Session session) {
            super(session);
            this.eager = session.query.containsKey("eager_eot_threshold");
        }

        @Override
        void opened() {
            session.schedule(Duration.ZERO, Outgoing.text(session.object().put("type", "Connected")
                    .put("request_id", session.requestId).put("sequence_id", session.sequence.getAndIncrement())
                    .toString(), false));
        }

        @Override
        void frame(boolean speech) {
            if (speech) {
                silenceMs = 0;
                if (!inTurn) {
                    inTurn = true;
                    turn = new ScriptedTurn(session.nextUtterance(turnIndex));
                    turnStartMs = audioMs - FRAME_MS;
                    updateMs = 0;
                    send("StartOfTurn", "", 0.02);
                } else if (eagerSent) {
                    eagerSent = false;
                    send("TurnResumed", transcript(), 0.2);
                }
                turn.speech(FRAME_MS);
            } else if (inTurn) {
                silenceMs += FRAME_MS;
                if (silenceMs >= SEGMENT_GAP_MS) {
                    turn.endSegment();
                }
                String transcript = transcript();
                if (eager && !eagerSent && silenceMs >= fluxEager.toMillis() && turn.atEndOfPart()
                        && !transcript.isEmpty()) {
                    eagerSent = true;
                    eagerTranscript = transcript;
                    send("EagerEndOfTurn", transcript, 0.6);
                }
                if (silenceMs >= fluxEnd.toMillis()) {
                    send("EndOfTurn", eagerSent ? eagerTranscript : transcript, 0.9);
                    inTurn = false;
                    eagerSent = false;
                    turnIndex++;
                    return;
                }
            }
            if (inTurn) {
                updateMs += FRAME_MS;
                if (updateMs >= INTERIM_EVERY_MS) {
                    updateMs = 0;
                    send("Update", transcript(), 0.1);
                }
            }
        }

        @Override
        void control(String type) {
            if (type.equals("CloseStream")) {
                if (inTurn) {
                    turn.endSegment();
                    send("Update", transcript(), 0.1);
                }
                session.schedule(transcriptLag, Outgoing.closeWithoutStatus());
            }
        }

        private String transcript() {
            return turn == null ? "" : turn.text(0, turn.said());
        }

        private void send(String event, String transcript, double confidence) {
            ObjectNode message = session.object().put("type", "TurnInfo").put("request_id", session.requestId)
                    .put("sequence_id", session.sequence.getAndIncrement()).put("event", event)
                    .put("turn_index", turnIndex).put("audio_window_start", seconds(turnStartMs))
                    .put("audio_window_end", seconds(audioMs)).put("transcript", transcript);
            ArrayNode words = message.putArray("words");
            if (!transcript.isEmpty()) {
                for (String word : transcript.split(" ")) {
                    words.addObject().put("word", word).put("confidence", 0.95);
                }
            }
            message.put("end_of_turn_confidence", confidence);
            session.schedule(transcriptLag, Outgoing.text(message.toString(), event.equals("Update")));
        }
    }
}
