package dev.voiceagent.fakes;

import dev.voiceagent.fakes.ServerMessage.Clear;
import dev.voiceagent.fakes.ServerMessage.Invalid;
import dev.voiceagent.fakes.ServerMessage.Mark;
import dev.voiceagent.fakes.ServerMessage.Media;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import dev.voiceagent.call.Ticker;

/**
 * Plays Twilio's media server for one phone call against a real voice-agent server: connects to its
 * Media Streams WebSocket, streams the caller's microphone as Twilio does, and plays the agent's audio
 * back at real time so tests can observe what a caller would hear, and when.
 *
 * <p>Lifecycle: {@link #connect} opens the socket; {@link #start} sends {@code connected} and
 * {@code start}, then an inbound {@code media} frame every 20 ms (silence, {@link #lineAudio line noise} or
 * whatever is being {@link #speak spoken}) until {@link #stop}, {@link #dropAbruptly},
 * {@link #stopSendingMedia} or the server closes. {@link #close} releases everything and is idempotent.
 *
 * <p>Playout follows Twilio's documented behaviour (see {@link TwilioPlayout}): server audio plays at
 * 8000 bytes per second, {@code mark}s are echoed when playout reaches them, {@code clear} drops buffered
 * audio and echoes pending marks at once. Frames Twilio would reject are not acted on and are listed in
 * {@link #protocolErrors()}.
 *
 * <p>Threads: one virtual thread sends inbound media, one plays out, and the socket delivers server frames (the
 * JDK's WebSocket on its own threads, or a {@link LoopbackWebSocket}'s reader thread). Every public method is thread-safe. Times are {@link System#nanoTime()} values.
 */
public final class FakeTwilioCaller implements AutoCloseable {

    /** The account id sent in {@code start} unless a test passes its own. */
    public static final String TEST_ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
    /** {@link #closeCode()} when the connection ended without a close frame. */
    public static final int ABNORMAL_CLOSURE = 1006;

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLOSE_HANDSHAKE_TIMEOUT = Duration.ofSeconds(1);

    private final String streamSid = TwilioMessages.newStreamSid();
    private final HttpClient ownedClient;
    /** Paces the inbound frames and the playout when shared by many callers; null: timed parks of their own. */
    private final Ticker frameClock;
    private final InboundLine line = new InboundLine();
    private final TwilioPlayout playout;
    private final ServerTraffic traffic;
    private final StateSignal signal = new StateSignal();
    private final List<String> echoedMarks = new CopyOnWriteArrayList<>();
    private final PlayoutDriver playoutDriver;
    private final AtomicReference<CallIds> call = new AtomicReference<>();
    private final AtomicBoolean closeCalled = new AtomicBoolean();
    private final AtomicInteger closeCode = new AtomicInteger(-1);
    private final long createdNanos = System.nanoTime();
    // Set once by open(), before the caller is handed out; the listener needs the caller first.
    private volatile WebSocket socket;
    private volatile Outbox outbox;
    private volatile MediaSender mediaSender;
    private volatile boolean closed;
    private volatile long lastClearNanos;

    /**
     * How much of what the server sent a caller keeps to be looked at ({@link #received()}, {@link #playedAudio()}).
     * Arrival times, stutters, marks, clears and protocol errors are kept in full either way.
     */
    public enum Memory {
        /** About a minute of raw frames and of played audio: for tests that inspect them. */
        INSPECTABLE,
        /**
         * The last few frames and a second of played audio: for a load generator's hundreds of callers, whose kept
         * frames otherwise outlived young collections and made the generator's own GC pauses long enough to be
         * heard as gaps (loadtest/README.md).
         */
        LEAN
    }

    /** Raw frames a lean caller keeps, in characters: the last few media messages. */
    private static final int LEAN_TEXT_CHARS = 8 * 1024;
    /** Played audio a lean caller keeps: one second. */
    private static final int LEAN_HISTORY_BYTES = 8_000;

    private FakeTwilioCaller(HttpClient ownedClient, Ticker frameClock) {
        this(ownedClient, frameClock, Memory.INSPECTABLE);
    }

    private FakeTwilioCaller(HttpClient ownedClient, Ticker frameClock, Memory memory) {
        this.ownedClient = ownedClient;
        this.frameClock = frameClock;
        boolean lean = memory == Memory.LEAN;
        this.playout = lean ? new TwilioPlayout(LEAN_HISTORY_BYTES) : new TwilioPlayout();
        this.traffic = lean ? new ServerTraffic(LEAN_TEXT_CHARS) : new ServerTraffic();
        this.playoutDriver = new PlayoutDriver(playout, streamSid, echoedMarks::add, frameClock);
    }

    /**
     * Opens the WebSocket with its own HTTP client, sending {@code headers} with the upgrade request
     * (for example {@code X-Twilio-Signature}).
     *
     * @throws Exception if the handshake is refused ({@code java.net.http.WebSocketHandshakeException})
     *                   or the server cannot be reached
     */
    public static FakeTwilioCaller connect(URI wsUri, Map<String, String> headers) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
        try {
            return open(client, new FakeTwilioCaller(client, null), wsUri, headers);
        } catch (Exception e) {
            client.shutdownNow();
            throw e;
        }
    }

    /**
     * Like {@link #connect(URI, Map)} over a shared client, which is left open on {@link #close()}: a load
     * test with hundreds of callers should not run hundreds of HTTP clients and their selector threads.
     */
    public static FakeTwilioCaller connect(HttpClient client, URI wsUri, Map<String, String> headers)
            throws Exception {
        return connect(client, wsUri, headers, null);
    }

    /**
     * Like {@link #connect(HttpClient, URI, Map)}, with the inbound frames and the playout paced by a shared clock (a
     * 1 ms {@link Ticker}): a frame goes out, and received audio plays, up to one tick before its 20 ms slot instead of
     * by a timed park of its own; null: timed parks.
     */
    public static FakeTwilioCaller connect(HttpClient client, URI wsUri, Map<String, String> headers, Ticker frameClock)
            throws Exception {
        return open(client, new FakeTwilioCaller(null, frameClock), wsUri, headers);
    }

    /**
     * Like {@link #connect(HttpClient, URI, Map, Ticker)}, over a {@link LoopbackWebSocket} of its own instead of the
     * JDK's client: for a load generator's hundreds of callers, where the JDK client's cost per 20 ms frame made the
     * generator, not the server, run out of CPU first; {@code memory} says how much of the server's traffic it keeps.
     * {@code ws://} only.
     */
    public static FakeTwilioCaller connectOverLoopback(URI wsUri, Map<String, String> headers, Ticker frameClock,
                                                       Memory memory) throws IOException {
        FakeTwilioCaller caller = new FakeTwilioCaller(null, frameClock, memory);
        caller.attach(LoopbackWebSocket.connect(wsUri, headers, caller.new Inbound(), CONNECT_TIMEOUT));
        return caller;
    }

    /** Loads {@code /clips/{name}.ulaw} (raw 8 kHz mu-law) from the test classpath. */
    public static byte[] clip(String name) {
        String path = "/clips/" + name + ".ulaw";
        try (InputStream in = FakeTwilioCaller.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no clip " + path + " on the test classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the stream with {@link #TEST_ACCOUNT_SID}; see {@link #start(String, String, Map)}. */
    public void start(String callSid, Map<String, String> customParameters) {
        start(callSid, TEST_ACCOUNT_SID, customParameters);
    }

    /**
     * Sends {@code connected} and {@code start} (with {@code customParameters} as the TwiML
     * {@code <Parameter>}s), then begins the 20 ms inbound media stream.
     *
     * @throws IllegalStateException if already started, or if the socket was closed before the messages
     *                               could be sent
     */
    public void start(String callSid, String accountSid, Map<String, String> customParameters) {
        if (!call.compareAndSet(null, new CallIds(accountSid, callSid))) {
            throw new IllegalStateException("start() was already called");
        }
        outbox.sendUnnumbered(TwilioMessages.connected());
        outbox.send(seq -> TwilioMessages.start(seq, accountSid, streamSid, callSid, customParameters));
        MediaSender sender = new MediaSender(outbox, streamSid, line, frameClock);
        mediaSender = sender;
        // ended() halts a published sender, so only a close that came before publication needs a check.
        if (closed) {
            line.hangUp();
        } else {
            sender.start();
        }
    }

    /** The CallSid given to {@link #start}, or empty before it. */
    public String callSid() {
        CallIds ids = call.get();
        return ids == null ? "" : ids.callSid();
    }

    /** When the most recent {@code clear} arrived (System.nanoTime), or 0 if none has. */
    public long clearReceivedNanos() {
        return lastClearNanos;
    }

    /** This stream's id: {@code MZ} and 32 hex digits. Available before {@link #start}. */
    public String streamSid() {
        return streamSid;
    }

    /** Plays {@code loopedNoise} on the line whenever the caller is not speaking (default: silence). */
    public void lineAudio(byte[] loopedNoise) {
        line.background(loopedNoise);
    }

    /**
     * Says {@code mulaw} into the call and returns once its last frame was sent.
     *
     * @throws IllegalStateException if media stops (or the call ends) before the clip was sent
     */
    public void speak(byte[] mulaw) {
        try {
            speakAsync(mulaw).join();
        } catch (CompletionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * Queues {@code mulaw} behind anything already being said. The future completes once its last frame
     * was sent, or fails if media stops first.
     */
    public CompletableFuture<Void> speakAsync(byte[] mulaw) {
        requireStarted();
        return line.speak(mulaw);
    }

    /** When the frame ending the most recent clip was sent, or -1: the start of a response-latency span. */
    public long lastSpeechFrameNanos() {
        MediaSender sender = mediaSender;
        return sender == null ? -1 : sender.lastSpeechFrameNanos();
    }

    /** Sends a {@code dtmf} event for {@code digit}. */
    public void dtmf(String digit) {
        requireStarted();
        outbox.send(seq -> TwilioMessages.dtmf(seq, streamSid, digit));
    }

    /** Sends {@code text} as is, without a sequence number: for malformed or unknown frames. */
    public void sendRaw(String text) {
        outbox.sendUnnumbered(text);
    }

    /** Sends a binary frame, which Twilio never does. */
    public void sendBinary(byte[] bytes) {
        outbox.sendBinary(bytes);
    }

    /**
     * Hangs up as Twilio does: inbound media ends, a {@code stop} event is sent, then a normal close (1000).
     * Does nothing if the connection is already closed.
     */
    public void stop() {
        stopMedia();
        try {
            CallIds ids = call.get();
            if (ids != null) {
                outbox.send(seq -> TwilioMessages.stop(seq, streamSid, ids.accountSid(), ids.callSid()));
            }
            outbox.sendClose(WebSocket.NORMAL_CLOSURE, "call ended");
        } catch (IllegalStateException e) {
            if (!closed) {
                throw e;
            }
        }
    }

    /** The network dies: the TCP connection is dropped without a close frame and media stops. */
    public void dropAbruptly() {
        socket.abort();
        ended(ABNORMAL_CLOSURE);
        stopMedia();
    }

    /** A stalled Twilio: the socket stays open but inbound media stops for good. */
    public void stopSendingMedia() {
        stopMedia();
    }

    /** Every text frame the server sent, valid or not, oldest first (the most recent ~1 M characters). */
    public List<String> received() {
        return traffic.texts();
    }

    /** Frames Twilio would have rejected, and why (wrong streamSid, unknown event, binary, bad fields). */
    public List<String> protocolErrors() {
        return traffic.protocolErrors();
    }

    /** How many {@code clear} messages were applied. */
    public int clearCount() {
        return playout.clearCount();
    }

    /** Names of the marks echoed back to the server, in order. */
    public List<String> echoedMarks() {
        return List.copyOf(echoedMarks);
    }

    /** Bytes of server audio played so far (cleared audio never plays). */
    public long playedAudioBytes() {
        return playout.playedAudioBytes();
    }

    /** The last ~60 s of played server audio, raw mu-law. */
    public byte[] playedAudio() {
        return playout.playedAudio();
    }

    /** Stutters: holes in the agent's playout followed by more audio within ~1.5 s, in milliseconds. */
    public List<Long> gapsMillis() {
        return playout.gapsMillis();
    }

    /** Stutters heard so far, with when each ended: {@link #gapsMillis()} and their times in one snapshot. */
    public List<Gap> gaps() {
        return playout.gaps();
    }

    /** When the first server media frame after {@code nanos} was received, or -1 if none yet. */
    public long firstAudioNanosAfter(long nanos) {
        return traffic.firstMediaAtOrAfter(nanos + 1);
    }

    /** Waits for {@link #firstAudioNanosAfter(long)}; returns it, or -1 on timeout. */
    public long awaitAudioAfter(long nanos, Duration timeout) {
        signal.await(() -> firstAudioNanosAfter(nanos) >= 0, timeout);
        return firstAudioNanosAfter(nanos);
    }

    /**
     * Waits until the agent finished talking: nothing is left to play and no media has arrived for
     * {@code quietFor} (counted from {@link #connect} if no media ever came). Returns false on timeout.
     */
    public boolean awaitQuiet(Duration quietFor, Duration timeout) {
        return signal.await(() -> {
            long now = System.nanoTime();
            long lastMedia = traffic.lastMediaNanos();
            long quietSince = lastMedia == -1 ? createdNanos : lastMedia;
            return playout.drained(now) && now - quietSince >= quietFor.toNanos();
        }, timeout);
    }

    /** Waits until some frame from the server (received before or during the wait) matches. */
    public boolean awaitReceived(Predicate<String> rawJsonMatches, Duration timeout) {
        AtomicLong seen = new AtomicLong();
        return signal.await(() -> {
            ServerTraffic.Since fresh = traffic.textsSince(seen.get());
            seen.set(fresh.seen());
            return fresh.texts().stream().anyMatch(rawJsonMatches);
        }, timeout);
    }

    /** Waits until the connection is closed, by either side or by a drop. */
    public boolean awaitClosed(Duration timeout) {
        return signal.await(() -> closed, timeout);
    }

    /** The close code the server sent, {@link #ABNORMAL_CLOSURE} if none came, -1 while open. */
    public int closeCode() {
        return closeCode.get();
    }

    /** True once the connection is closed. */
    public boolean isClosed() {
        return closed;
    }

    /** Hangs up like {@link #stop()} if still connected, then stops all threads. Idempotent. */
    @Override
    public void close() {
        if (!closeCalled.compareAndSet(false, true)) {
            return;
        }
        try {
            if (!closed) {
                stop();
                awaitClosed(CLOSE_HANDSHAKE_TIMEOUT);
            }
        } catch (RuntimeException e) {
            // Best effort: the server may already be gone; the abort below still frees everything.
        } finally {
            stopMedia();
            if (!closed) {
                socket.abort();
                ended(ABNORMAL_CLOSURE);
            }
            playoutDriver.stop();
            if (ownedClient != null) {
                ownedClient.shutdownNow();
            }
        }
    }

    private static FakeTwilioCaller open(HttpClient client, FakeTwilioCaller caller, URI wsUri,
                                         Map<String, String> headers) throws Exception {
        WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(CONNECT_TIMEOUT);
        headers.forEach(builder::header);
        WebSocket socket;
        try {
            socket = builder.buildAsync(wsUri, caller.new Inbound())
                    .get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // Callers assert on the real cause, e.g. WebSocketHandshakeException for a refused upgrade.
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        caller.attach(socket);
        return caller;
    }

    private void attach(WebSocket connected) {
        socket = connected;
        outbox = new Outbox(connected);
        playoutDriver.start(outbox);
    }

    private void onServerText(String text) {
        long now = System.nanoTime();
        ServerMessage message = ServerMessageParser.parse(text, streamSid);
        traffic.received(text, message instanceof Media, now);
        switch (message) {
            case Media media -> playout.audio(media.payload(), now);
            case Mark mark -> playout.mark(mark.name(), now);
            case Clear clear -> {
                playout.clear(now);
                lastClearNanos = now;
            }
            case Invalid invalid -> traffic.protocolError(invalid.problem());
        }
        playoutDriver.wake();
        signal.changed();
    }

    /** The connection is over (close frame, error or abort): Twilio stops streaming and playing. */
    private void ended(int code) {
        closeCode.compareAndSet(-1, code);
        closed = true;
        MediaSender sender = mediaSender;
        if (sender != null) {
            sender.halt();
        }
        playoutDriver.halt();
        signal.changed();
    }

    private void stopMedia() {
        MediaSender sender = mediaSender;
        if (sender != null) {
            sender.stop();
        } else {
            line.hangUp();
        }
    }

    private void requireStarted() {
        if (call.get() == null) {
            throw new IllegalStateException("call start() first");
        }
    }

    /** Who is calling, as sent in {@code start}. */
    private record CallIds(String accountSid, String callSid) {
    }

    /** Receives the server's frames; the JDK calls these one at a time. */
    private final class Inbound implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                onServerText(text);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            if (last) {
                traffic.protocolError("binary frame: Twilio accepts text frames only (error 31950)");
                signal.changed();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            // Returning null lets the JDK answer with its own close frame, completing the handshake.
            ended(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            ended(ABNORMAL_CLOSURE);
        }
    }
}
