package dev.voiceagent.fakes;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.voiceagent.call.Ticker;

/**
 * A local stand-in for a vendor's HTTP API on {@code 127.0.0.1} and a free port, one virtual thread per request.
 * Subclasses speak one vendor's documented wire format; this class adds what every fake needs: request counting and
 * recording, and fault injection per route. All methods are thread-safe.
 * <p>
 * Faults: {@link #failNext} queues one-shot faults (first in, first out, per route), which win over a standing
 * {@link #failAlways} fault. A faulted request is counted and recorded in {@link #requests(String)}, but a
 * {@link Fault.Status} or {@link Fault.Reply} one never reaches the vendor logic (so it is not in the vendor-specific
 * call lists).
 * <p>
 * Subclasses may also answer for themselves before any fault, e.g. with a rate limit, and add headers to every
 * answer: see {@link #admit}.
 * <p>
 * Recording: by default every request is kept, body and all, so tests can inspect it. A load test sends thousands of
 * requests (each Whisper request carries seconds of audio), so {@link #recording(boolean) recording(false)} keeps
 * only the counts: {@link #requests(String)} and the vendor-specific call lists then stay as they were.
 */
public abstract class FakeVendorServer implements AutoCloseable {

    private static final int LISTEN_BACKLOG = 1024;
    private static final Duration PAUSE_TICK = Duration.ofMillis(1);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    /**
     * Paces every latency and streamed chunk of this fake: a load test's hundreds of streamed answers would otherwise
     * each pay the JDK's delay-scheduler round trip per chunk (see {@link Ticker}). A pause ends up to a tick early.
     */
    private final Ticker clock = new Ticker(PAUSE_TICK, System::nanoTime);
    private final Set<String> routes;
    private final Map<String, Queue<Fault>> nextFaults = new ConcurrentHashMap<>();
    private final Map<String, Fault> standingFaults = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<ReceivedRequest> received = new CopyOnWriteArrayList<>();
    private final Set<java.net.InetSocketAddress> peers = ConcurrentHashMap.newKeySet();
    private volatile boolean recording = true;

    /** @param routes the route names this vendor has, e.g. {@code FakeElevenLabs.TTS} */
    protected FakeVendorServer(Set<String> routes) {
        this(routes, 0);
    }

    /**
     * @param routes the route names this vendor has
     * @param port   a fixed loopback port, or 0 for any free one
     */
    protected FakeVendorServer(Set<String> routes, int port) {
        this.routes = Set.copyOf(routes);
        try {
            // A deep accept queue: a load test opens hundreds of connections at once, and the JDK's default
            // backlog (50) would make some of them fail or wait for a SYN retransmit (1 s).
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), LISTEN_BACKLOG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
    }

    /** Subclasses call this last in their constructor, so that requests only ever see fully built fakes. */
    protected final void start() {
        server.createContext("/", this::dispatch);
        server.start();
    }

    /** {@code http://127.0.0.1:PORT}, no trailing slash; the port is {@link #publicPort()}. */
    public final String baseUrl() {
        return "http://127.0.0.1:" + publicPort();
    }

    /** The port clients use: the HTTP server's own, unless a subclass puts something in front of it. */
    protected int publicPort() {
        return serverPort();
    }

    /** The loopback port the JDK HTTP server listens on. */
    protected final int serverPort() {
        return server.getAddress().getPort();
    }

    public final URI baseUri() {
        return URI.create(baseUrl());
    }

    /** The next request to {@code route} suffers {@code fault}; several calls queue up in order. */
    public final void failNext(String route, Fault fault) {
        nextFaults.computeIfAbsent(checkRoute(route), r -> new ConcurrentLinkedQueue<>())
                .add(Objects.requireNonNull(fault, "fault"));
    }

    /** Every request to {@code route} suffers {@code fault} until {@link #clearFaults()}. */
    public final void failAlways(String route, Fault fault) {
        standingFaults.put(checkRoute(route), Objects.requireNonNull(fault, "fault"));
    }

    /** Drops queued and standing faults of all routes. */
    public final void clearFaults() {
        nextFaults.clear();
        standingFaults.clear();
    }

    /**
     * Whether requests (and the vendor-specific calls) are kept for inspection; default on. Turn it off for load
     * tests: counts still work, but nothing else grows with the number of requests.
     */
    public final void recording(boolean on) {
        this.recording = on;
    }

    /** Subclasses keep per-call records only while this is true. */
    protected final boolean isRecording() {
        return recording;
    }

    /** How many requests reached {@code route}, whatever the answer. */
    public final int requestCount(String route) {
        AtomicInteger count = counts.get(checkRoute(route));
        return count == null ? 0 : count.get();
    }

    /**
     * How many client connections requests came on (distinct client addresses and ports), while recording: a client
     * that keeps its connections alive sends many requests on a few.
     */
    public final int connectionsSeen() {
        return peers.size();
    }

    /** Every request that reached {@code route}, in arrival order, whatever the answer. */
    public final List<ReceivedRequest> requests(String route) {
        checkRoute(route);
        return received.stream().filter(r -> r.route().equals(route)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow(); // wakes handlers that still sleep in a latency or delay
        clock.close();
    }

    /** The route a request belongs to, or {@code null} for a path this vendor does not have. */
    protected abstract String routeOf(String method, String path);

    /** Answers a request to {@code route} the way the vendor does. */
    protected abstract void handle(String route, Exchange exchange) throws IOException;

    /** The request body as a JSON object, or null when it is not one (the fake then answers its vendor's 4xx). */
    protected static com.fasterxml.jackson.databind.JsonNode jsonObject(com.fasterxml.jackson.databind.ObjectMapper json,
                                                                        byte[] body) {
        try {
            com.fasterxml.jackson.databind.JsonNode node = json.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The vendor's documented error body for {@code status}, as JSON. */
    protected abstract String errorBody(String route, int status);

    /** Answers a path this vendor does not have. */
    protected abstract void notFound(Exchange exchange) throws IOException;

    /**
     * Called for every request to a known route (counted and recorded already) before it is answered: a subclass may
     * add response headers to {@code exchange} here (they go on every answer, faulted or not) and may answer with a
     * fault of its own, such as a 429 when its rate-limit window is used up.
     *
     * @param scripted the fault the test queued or set for this request, or {@code null}
     * @return the fault to apply: normally {@code scripted}; {@code null} for the normal answer
     */
    protected Fault admit(String route, Fault scripted, Exchange exchange) {
        return scripted;
    }

    private String checkRoute(String route) {
        if (!routes.contains(route)) {
            throw new IllegalArgumentException("no route " + route + " on " + getClass().getSimpleName() + ", only " + routes);
        }
        return route;
    }

    private void dispatch(HttpExchange raw) throws IOException {
        try {
            answer(raw);
        } catch (ConnectionCut e) {
            throw e; // closing the exchange would finish the chunked body cleanly; the server drops the socket instead
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
        raw.close();
    }

    private void answer(HttpExchange raw) throws IOException {
        String method = raw.getRequestMethod();
        String route = routeOf(method, raw.getRequestURI().getRawPath());
        byte[] body = raw.getRequestBody().readAllBytes();
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        raw.getRequestHeaders().forEach((name, values) -> headers.put(name, List.copyOf(values)));
        ReceivedRequest request = new ReceivedRequest(route == null ? "" : route, method, raw.getRequestURI(),
                Collections.unmodifiableMap(headers), body);
        if (route == null) {
            notFound(new Exchange(raw, request, -1, clock));
            return;
        }
        counts.computeIfAbsent(route, r -> new AtomicInteger()).incrementAndGet();
        if (recording) {
            received.add(request);
            peers.add(raw.getRemoteAddress());
        }
        Fault scripted = nextFault(route);
        Exchange exchange = new Exchange(raw, request, scripted instanceof Fault.CutAfterBytes cut ? cut.bytes() : -1,
                                         clock);
        Fault fault = admit(route, scripted, exchange);
        switch (fault) {
            case Fault.Status status -> exchange.sendJson(status.httpStatus(), errorBody(route, status.httpStatus()));
            case Fault.Reply reply -> {
                reply.headers().forEach(exchange::header);
                exchange.send(reply.httpStatus(), reply.contentType(), reply.body());
            }
            case Fault.Delay delay -> {
                exchange.pause(delay.delay());
                handle(route, exchange);
            }
            case Fault.CutAfterBytes cut -> handle(route, exchange);
            case Fault.DropUnanswered drop -> throw new ConnectionCut();
            case null -> handle(route, exchange);
        }
    }

    private Fault nextFault(String route) {
        Queue<Fault> queued = nextFaults.get(route);
        Fault next = queued == null ? null : queued.poll();
        return next != null ? next : standingFaults.get(route);
    }

    /**
     * One HTTP request as a fake received it.
     *
     * @param route   the route name, or {@code ""} for an unknown path
     * @param headers request headers, names case-insensitive
     */
    public record ReceivedRequest(String route, String method, URI uri, Map<String, List<String>> headers, byte[] body) {

        /** The first value of a header, or {@code null}. */
        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.getFirst();
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** The request being answered, and the only way handlers answer it, so that a cut fault applies everywhere. */
    protected static final class Exchange {

        private final HttpExchange raw;
        private final ReceivedRequest request;
        private final int cutAfterBytes;
        private final Ticker clock;

        private Exchange(HttpExchange raw, ReceivedRequest request, int cutAfterBytes, Ticker clock) {
            this.raw = raw;
            this.request = request;
            this.cutAfterBytes = cutAfterBytes;
            this.clock = clock;
        }

        public ReceivedRequest request() {
            return request;
        }

        /** Sets a response header; call before the answer starts. */
        public void header(String name, String value) {
            raw.getResponseHeaders().set(name, value);
        }

        public void sendJson(int status, String json) throws IOException {
            send(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
        }

        /** A complete answer with a Content-Length, unless a cut fault turns it into a cut stream. */
        public void send(int status, String contentType, byte[] body) throws IOException {
            if (cutAfterBytes >= 0) {
                try (OutputStream out = startStream(status, contentType)) {
                    out.write(body);
                }
                return;
            }
            raw.getResponseHeaders().set("Content-Type", contentType);
            raw.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = raw.getResponseBody()) {
                out.write(body);
            }
        }

        /** Starts a chunked answer; each {@code flush()} puts what was written on the wire. */
        public OutputStream startStream(int status, String contentType) throws IOException {
            raw.getResponseHeaders().set("Content-Type", contentType);
            raw.sendResponseHeaders(status, 0);
            OutputStream body = raw.getResponseBody();
            return cutAfterBytes >= 0 ? new CuttingStream(body, cutAfterBytes) : body;
        }

        /** Sleeps (ending up to a millisecond early, on the fake's shared clock); a closing fake interrupts it. */
        public void pause(Duration duration) throws IOException {
            if (duration.isZero() || duration.isNegative()) {
                return;
            }
            try {
                clock.sleepUntil(System.nanoTime() + duration.toNanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("fake vendor is closing");
            }
        }
    }

    /**
     * Passes on the first {@code limit} bytes, then fails the exchange. The JDK server then closes the socket
     * without the terminating chunk, which is what a vendor crashing mid-answer looks like to a client.
     */
    private static final class CuttingStream extends FilterOutputStream {

        private int remaining;

        CuttingStream(OutputStream out, int limit) {
            super(out);
            this.remaining = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            int passed = Math.min(length, remaining);
            out.write(bytes, offset, passed);
            remaining -= passed;
            if (remaining == 0) {
                cut();
            }
        }

        @Override
        public void close() throws IOException {
            cut(); // the answer must never end cleanly
        }

        private void cut() throws IOException {
            out.flush();
            throw new ConnectionCut();
        }
    }

    /** Thrown out of the handler so that the JDK server drops the connection. */
    private static final class ConnectionCut extends IOException {
        ConnectionCut() {
            super("connection cut on purpose by a Fault.cutAfterBytes or Fault.dropUnanswered");
        }
    }
}
