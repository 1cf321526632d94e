package dev.voiceagent.stt;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.voiceagent.audio.MuLaw;
import dev.voiceagent.vendor.RetryAfter;
import dev.voiceagent.vendor.VendorException;

/**
 * The transport shared by the Workers AI streaming models: one JDK {@link WebSocket} (Helidon's client can die
 * without calling its listener, helidon#10488), opened with {@code Authorization: Bearer <token>}.
 * <p>
 * Threads: {@link #audio} and {@link #finalizeNow} only queue (never block). One sender virtual thread per socket
 * owns every send, because the JDK socket allows one outstanding send at a time: it batches whatever audio is
 * queued into one binary message, sends text control messages in their place among the audio, and a
 * {@code KeepAlive} when no audio went out for {@code keepAliveEvery} (when set). The queue holds at most
 * {@link #MAX_QUEUED_AUDIO_BYTES} of audio; when it is full the oldest audio is dropped and counted. Each send
 * is bounded by {@link #SEND_TIMEOUT}; a send that fails or stalls drops the socket.
 * <p>
 * Receiving: the JDK calls the listener one message at a time; text fragments are joined (up to 1 MB) and the whole
 * JSON message goes to the model's {@link Decoder}. A malformed message is logged once per socket and skipped.
 * Events reach the consumer in order, one at a time, under a lock (normally on the JDK's listener thread; a
 * {@link SpeechEvent.Dropped} may come from the sender thread). {@link SpeechEvent.Dropped} comes at most once,
 * never after {@link #close()} began, and nothing follows it. Do not call {@link #close()} from the consumer
 * except on {@link SpeechEvent.Dropped}: it would hold up the listener thread that waits for the vendor's close,
 * and so take the whole {@link #CLOSE_BUDGET}.
 * <p>
 * Closing: {@code CloseStream} (after any audio still queued), then up to most of {@link #CLOSE_BUDGET} for the vendor
 * to flush and close; if it has not, our close frame; at the budget's end the socket is aborted.
 */
final class VendorSocket implements SpeechStream {

    /** Vendor name in exceptions and metrics. */
    static final String VENDOR = "cloudflare";
    /** 2 s of 8 kHz mu-law. */
    static final int MAX_QUEUED_AUDIO_BYTES = 16_000;
    /** The largest single chunk: a turn's audio replayed into a reopened socket (30 s, the longest turn kept). */
    static final int MAX_REPLAY_BYTES = 8 * 30_000;
    /** Bound on queued control messages (a stalled socket must not grow memory). */
    static final int MAX_QUEUED_CONTROLS = 64;
    /** How long {@link #close()} may take in all. */
    static final Duration CLOSE_BUDGET = Duration.ofSeconds(1);
    /** Bound on one send. */
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(5);

    static final String FINALIZE = "{\"type\":\"Finalize\"}";
    static final String KEEP_ALIVE = "{\"type\":\"KeepAlive\"}";
    static final String CLOSE_STREAM = "{\"type\":\"CloseStream\"}";

    private static final Logger LOG = Logger.getLogger(VendorSocket.class.getName());

    /** The HTTP client a streaming client opens its sockets with: one per client, virtual threads. */
    static java.net.http.HttpClient client(Duration connectTimeout) {
        return java.net.http.HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }
    private static final int MAX_MESSAGE_CHARS = 1 << 20;
    private static final int MULAW_BYTES_PER_SECOND = 8000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the caller's mu-law goes on the wire. */
    enum WireAudio {
        /** Raw mu-law bytes, as Twilio sends them ({@code encoding=mulaw}). */
        MULAW {
            @Override
            byte[] encode(byte[] mulaw) {
                return mulaw;
            }
        },
        /** Signed 16-bit little-endian PCM at the same rate ({@code encoding=linear16}). */
        LINEAR16 {
            @Override
            byte[] encode(byte[] mulaw) {
                byte[] pcm = new byte[mulaw.length * 2];
                for (int i = 0; i < mulaw.length; i++) {
                    short sample = MuLaw.decode(mulaw[i]);
                    pcm[2 * i] = (byte) sample;
                    pcm[2 * i + 1] = (byte) (sample >> 8);
                }
                return pcm;
            }
        };

        abstract byte[] encode(byte[] mulaw);
    }

    /** One vendor JSON message to an event; {@code null} to ignore it; a {@link SpeechEvent.Dropped} ends the socket. */
    @FunctionalInterface
    interface Decoder {
        SpeechEvent decode(JsonNode message);
    }

    /** What the sender sends, in queue order. */
    private sealed interface Outgoing {
    }

    private record Audio(byte[] mulaw) implements Outgoing {
    }

    private record Text(String json) implements Outgoing {
    }

    /** Sent after {@code CloseStream} by {@link #close()}: the sender's last item. */
    private record Stop() implements Outgoing {
    }

    private final String label;
    private final WireAudio wire;
    private final Duration keepAliveEvery;
    private final boolean finalizeSupported;
    private final Decoder decoder;
    private final Consumer<SpeechEvent> events;

    private final ReentrantLock queueLock = new ReentrantLock();
    private final Condition queued = queueLock.newCondition();
    private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
    private int queuedAudioBytes;
    /** A replayed turn waiting to be sent (not counted in {@link #queuedAudioBytes}), or null. */
    private Audio replay;
    private int queuedControls;
    private long lastSentNanos = System.nanoTime();

    private final ReentrantLock deliveryLock = new ReentrantLock();
    private volatile boolean ended;
    private volatile boolean closing;
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final CountDownLatch inputClosed = new CountDownLatch(1);

    private final AtomicLong audioBytesSent = new AtomicLong();
    private final AtomicLong audioBytesDropped = new AtomicLong();
    private final AtomicInteger finalizes = new AtomicInteger();
    private final AtomicBoolean malformedLogged = new AtomicBoolean();

    private volatile WebSocket socket;
    private Thread sender;

    private VendorSocket(String label, WireAudio wire, Duration keepAliveEvery, boolean finalizeSupported,
                         Decoder decoder, Consumer<SpeechEvent> events) {
        this.label = Objects.requireNonNull(label, "label");
        this.wire = Objects.requireNonNull(wire, "wire");
        this.keepAliveEvery = keepAliveEvery;
        this.finalizeSupported = finalizeSupported;
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.events = Objects.requireNonNull(events, "events");
    }

    /**
     * Opens a socket; blocks until the vendor accepted it, at most about {@code connectTimeout}.
     *
     * @param keepAliveEvery    send {@code KeepAlive} after this long without audio; {@code null} for never
     * @param finalizeSupported whether {@link #finalizeNow()} sends {@code Finalize} (else it does nothing)
     * @throws VendorException when the handshake fails: kind from the HTTP status (401/403 {@code UNAUTHORIZED},
     *                         429 {@code RATE_LIMITED}, 5xx {@code SERVER_ERROR}, others {@code BAD_RESPONSE}),
     *                         {@code TIMEOUT}, or {@code NETWORK} (refused, reset)
     */
    static VendorSocket open(HttpClient http, URI uri, String token, Duration connectTimeout, String label,
                             WireAudio wire, Duration keepAliveEvery, boolean finalizeSupported, Decoder decoder,
                             Consumer<SpeechEvent> events) {
        VendorSocket stream = new VendorSocket(label, wire, keepAliveEvery, finalizeSupported, decoder, events);
        stream.socket = connect(http, uri, token, connectTimeout, stream.new Receiver());
        stream.sender = Thread.ofVirtual().name("stt-send-" + label).start(stream::sendLoop);
        return stream;
    }

    private static WebSocket connect(HttpClient http, URI uri, String token, Duration timeout,
                                     WebSocket.Listener listener) {
        CompletableFuture<WebSocket> opening = http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .connectTimeout(timeout)
                .buildAsync(uri, listener);
        try {
            return opening.get(timeout.toMillis() + 250, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            abandon(opening);
            throw new VendorException(VENDOR, VendorException.Kind.TIMEOUT, 0,
                    "no WebSocket handshake answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            abandon(opening);
            Thread.currentThread().interrupt();
            throw new VendorException(VENDOR, VendorException.Kind.NETWORK, 0, "interrupted while opening", e);
        } catch (ExecutionException e) {
            throw handshakeFailure(e.getCause());
        }
    }

    /**
     * A handshake we stopped waiting for must not leave a socket open if it completes later (cancelling the future
     * would not stop the JDK's handshake, only hide its result).
     */
    private static void abandon(CompletableFuture<WebSocket> opening) {
        opening.thenAccept(WebSocket::abort);
    }

    /** Maps why {@code buildAsync} failed; package-private for tests. */
    static VendorException handshakeFailure(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof WebSocketHandshakeException refused) {
            var response = refused.getResponse();
            int status = response.statusCode();
            Duration retryAfter = status == 429 || status == 503
                    ? response.headers().firstValue("Retry-After")
                            .flatMap(value -> RetryAfter.parse(value, Instant.now())).orElse(null)
                    : null;
            return new VendorException(VENDOR, VendorException.kindOf(status), status,
                    "WebSocket handshake refused", null, retryAfter);
        }
        if (cause instanceof HttpTimeoutException) {
            return new VendorException(VENDOR, VendorException.Kind.TIMEOUT, 0,
                    "WebSocket handshake timed out", cause);
        }
        String what = cause instanceof IOException ? cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) : String.valueOf(cause);
        return new VendorException(VENDOR, VendorException.Kind.NETWORK, 0, "WebSocket did not open: " + what, cause);
    }

    // ---- SpeechStream

    @Override
    public void audio(byte[] mulaw) {
        if (mulaw == null || mulaw.length == 0 || ended || closing) {
            return;
        }
        byte[] copy = mulaw.length > MAX_REPLAY_BYTES
                ? Arrays.copyOfRange(mulaw, mulaw.length - MAX_REPLAY_BYTES, mulaw.length)
                : mulaw.clone();
        long dropped = mulaw.length - copy.length;
        queueLock.lock();
        try {
            Audio chunk = new Audio(copy);
            if (copy.length > MAX_QUEUED_AUDIO_BYTES) {
                // A turn replayed into a reopened socket: sent whole, on top of the usual bound, never dropped.
                replay = chunk;
            } else {
                while (queuedAudioBytes + copy.length > MAX_QUEUED_AUDIO_BYTES) {
                    dropped += dropOldestAudio();
                }
                queuedAudioBytes += copy.length;
            }
            queue.addLast(chunk);
            queued.signal();
        } finally {
            queueLock.unlock();
        }
        if (dropped > 0 && audioBytesDropped.getAndAdd(dropped) == 0) {
            LOG.warning(() -> "stt " + label + ": the socket is not keeping up; dropping the oldest audio");
        }
    }

    @Override
    public void finalizeNow() {
        if (finalizeSupported && queueControl(FINALIZE)) {
            finalizes.incrementAndGet();
        }
    }

    @Override
    public void close() {
        if (!closeStarted.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + CLOSE_BUDGET.toNanos();
        boolean alive;
        queueLock.lock();
        try {
            closing = true;
            alive = !ended;
            if (alive) {
                queue.addLast(new Text(CLOSE_STREAM));
                queuedControls++;
                queue.addLast(new Stop());
                queued.signal();
            }
        } finally {
            queueLock.unlock();
        }
        WebSocket ws = socket;
        try {
            if (alive) {
                // CloseStream: the vendor flushes its last words and closes; give it most of the budget.
                sender.join(remaining(deadline, 300));
                if (!inputClosed.await(remaining(deadline, 300).toNanos(), TimeUnit.NANOSECONDS) && !sender.isAlive()) {
                    ws.sendClose(WebSocket.NORMAL_CLOSURE, "");
                }
                inputClosed.await(remaining(deadline, 0).toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            deliveryLock.lock();
            try {
                ended = true;
            } finally {
                deliveryLock.unlock();
            }
            ws.abort();
            sender.interrupt();
            wakeSender();
        }
        long dropped = audioBytesDropped.get();
        if (dropped > 0) {
            LOG.info(() -> "stt " + label + ": " + dropped + " bytes of audio were dropped");
        }
    }

    @Override
    public double audioSeconds() {
        return audioBytesSent.get() / (double) MULAW_BYTES_PER_SECOND;
    }

    @Override
    public int finalizes() {
        return finalizes.get();
    }

    // ---- sending

    private boolean queueControl(String json) {
        if (ended || closing) {
            return false;
        }
        queueLock.lock();
        try {
            if (queuedControls >= MAX_QUEUED_CONTROLS) {
                LOG.warning(() -> "stt " + label + ": control queue full, not sending " + json);
                return false;
            }
            queue.addLast(new Text(json));
            queuedControls++;
            queued.signal();
            return true;
        } finally {
            queueLock.unlock();
        }
    }

    /** Removes the oldest queued audio (never a replay); caller holds the lock. Returns the bytes dropped. */
    private int dropOldestAudio() {
        for (var it = queue.iterator(); it.hasNext(); ) {
            if (it.next() instanceof Audio audio && audio != replay) {
                it.remove();
                queuedAudioBytes -= audio.mulaw().length;
                return audio.mulaw().length;
            }
        }
        throw new IllegalStateException("audio bytes counted but none queued");
    }

    private void sendLoop() {
        try {
            for (Outgoing next = take(); next != null; next = take()) {
                switch (next) {
                    case Audio audio -> {
                        await(socket.sendBinary(ByteBuffer.wrap(wire.encode(audio.mulaw())), true));
                        audioBytesSent.addAndGet(audio.mulaw().length);
                    }
                    case Text text -> await(socket.sendText(text.json(), true));
                    case Stop stop -> {
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            // close() gave up on us
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            fail("send failed: " + (cause instanceof TimeoutException ? "stalled for " + SEND_TIMEOUT.toMillis() + " ms"
                    : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage())));
        }
    }

    private static void await(CompletableFuture<WebSocket> send)
            throws InterruptedException, ExecutionException, TimeoutException {
        send.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The next thing to send: the queue head, with all audio directly behind it merged into one message; a
     * {@code KeepAlive} when one is due; {@code null} once the socket ended.
     */
    private Outgoing take() throws InterruptedException {
        queueLock.lock();
        try {
            while (true) {
                if (ended) {
                    return null;
                }
                Outgoing head = queue.pollFirst();
                if (head instanceof Audio first) {
                    lastSentNanos = System.nanoTime();
                    return mergeAudio(first);
                }
                if (head != null) {
                    if (head instanceof Text) {
                        queuedControls--;
                    }
                    return head;
                }
                if (keepAliveEvery == null || closing) {
                    queued.await();
                    continue;
                }
                long due = lastSentNanos + keepAliveEvery.toNanos() - System.nanoTime();
                if (due <= 0) {
                    lastSentNanos = System.nanoTime();
                    return new Text(KEEP_ALIVE);
                }
                queued.awaitNanos(due);
            }
        } finally {
            queueLock.unlock();
        }
    }

    /** Caller holds the lock; {@code first} was just polled. */
    private Audio mergeAudio(Audio first) {
        uncount(first);
        if (!(queue.peekFirst() instanceof Audio)) {
            return first;
        }
        int total = first.mulaw().length;
        for (Outgoing item : queue) {
            if (!(item instanceof Audio audio)) {
                break;
            }
            total += audio.mulaw().length;
        }
        byte[] merged = Arrays.copyOf(first.mulaw(), total);
        int at = first.mulaw().length;
        while (queue.peekFirst() instanceof Audio audio) {
            queue.pollFirst();
            uncount(audio);
            System.arraycopy(audio.mulaw(), 0, merged, at, audio.mulaw().length);
            at += audio.mulaw().length;
        }
        return new Audio(merged);
    }

    /** Caller holds the lock; {@code audio} left the queue to be sent. */
    private void uncount(Audio audio) {
        if (audio == replay) {
            replay = null;
        } else {
            queuedAudioBytes -= audio.mulaw().length;
        }
    }

    private void wakeSender() {
        queueLock.lock();
        try {
            queued.signalAll();
        } finally {
            queueLock.unlock();
        }
    }

    private static Duration remaining(long deadlineNanos, long reserveMillis) {
        long nanos = deadlineNanos - TimeUnit.MILLISECONDS.toNanos(reserveMillis) - System.nanoTime();
        return Duration.ofNanos(Math.max(1, nanos));
    }

    // ---- receiving

    private void dispatch(String message) {
        JsonNode node;
        try {
            node = JSON.readTree(message);
        } catch (JsonProcessingException e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            malformed("not a JSON object");
            return;
        }
        SpeechEvent event;
        try {
            event = decoder.decode(node);
        } catch (RuntimeException e) {
            malformed(e.getMessage());
            return;
        }
        if (event instanceof SpeechEvent.Dropped dropped) {
            fail(dropped.why());
        } else if (event != null) {
            deliver(event);
        }
    }

    private void malformed(String why) {
        if (malformedLogged.compareAndSet(false, true)) {
            LOG.warning(() -> "stt " + label + ": skipping a malformed vendor message (" + why
                    + "); later ones are skipped silently");
        }
    }

    private void deliver(SpeechEvent event) {
        deliveryLock.lock();
        try {
            if (!ended) {
                events.accept(event);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "stt " + label + ": the event consumer failed", e);
        } finally {
            deliveryLock.unlock();
        }
    }

    /** The socket is gone: one {@link SpeechEvent.Dropped} unless we are closing it ourselves. */
    private void fail(String why) {
        deliveryLock.lock();
        try {
            if (ended) {
                return;
            }
            ended = true;
            if (!closing) {
                LOG.info(() -> "stt " + label + ": socket dropped: " + why);
                try {
                    events.accept(new SpeechEvent.Dropped(why));
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "stt " + label + ": the event consumer failed", e);
                }
            }
        } finally {
            deliveryLock.unlock();
        }
        WebSocket ws = socket;
        if (ws != null && !closing) {
            ws.abort();
        }
        wakeSender();
    }

    /** The JDK calls this one message at a time. */
    private final class Receiver implements WebSocket.Listener {

        private final StringBuilder text = new StringBuilder();
        private boolean oversized;

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            if (!oversized && text.length() + data.length() > MAX_MESSAGE_CHARS) {
                oversized = true;
                text.setLength(0);
            }
            if (!oversized) {
                text.append(data);
            }
            if (last) {
                if (oversized) {
                    malformed("a text message over " + MAX_MESSAGE_CHARS + " characters");
                } else {
                    dispatch(text.toString());
                }
                text.setLength(0);
                oversized = false;
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            fail("closed by the vendor: " + statusCode + (reason == null || reason.isEmpty() ? "" : " " + reason));
            inputClosed.countDown();
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            fail("connection failed: " + error.getClass().getSimpleName()
                    + (error.getMessage() == null ? "" : ": " + error.getMessage()));
            inputClosed.countDown();
        }
    }
}
