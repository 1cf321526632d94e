package dev.voiceagent.vendor;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import io.helidon.common.tls.Tls;
import io.helidon.webclient.api.ClientConnection;
import io.helidon.webclient.api.ClientUri;
import io.helidon.webclient.api.ConnectionKey;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.TcpClientConnection;
import io.helidon.webclient.api.WebClient;

/**
 * The kept-alive HTTP/1.1 connections of one vendor client, handed to Helidon one request at a time
 * ({@code HttpClientRequest.connection}) and reused most recent first.
 * <p>
 * Why not Helidon's own connection cache: Helidon 4.5 watches every idle pooled connection with a virtual thread of its
 * own doing timed one-byte reads in 101 ms slices until the socket's read timeout is used up (common-socket
 * {@code IdleInputStream}, no setting to turn it off, helidon#11799), and hands connections out first in, first out,
 * so every pooled connection keeps cycling and stays watched: with 200 talking calls, some 190 connections and 1,800
 * timed reads a second, 13-16 % of the server's thread switches (loadtest/README.md). Here nothing watches an idle connection, and the most
 * recently used one goes out first, so a burst's extra connections sit unused and expire while the few a steady load
 * needs stay warm (and a quiet deployment, one call with turns seconds apart, keeps its connection and its TLS session
 * instead of a handshake before every request).
 * <p>
 * Contract:
 * <ul>
 *     <li>{@link #lend} hands a request a connection: the most recently kept one for its scheme, host and port
 *     ({@link #take}), or a new one ({@link #fresh}). Connect failures are Helidon's ({@code UncheckedIOException},
 *     {@code RuntimeUnknownHostException}).</li>
 *     <li>Helidon ends every use: it releases the connection when the response was read to its end (it goes back on
 *     top, unless {@code maxKept} are kept already), or closes it (a cut answer, a {@code Connection: close}, an
 *     unread body). Whoever handed the connection to a request that failed before a response closes it.</li>
 *     <li>A connection idle longer than {@code maxIdle} is closed the next time this pool is used; an unused pool keeps
 *     at most {@code maxKept} sockets until then.</li>
 *     <li>A kept connection the vendor closed meanwhile is noticed only when a request goes out on it and gets no
 *     answer at all; that is why only clients that may send such a request once more on a {@link #fresh} connection
 *     ({@link VendorHttp.Resend#UNANSWERED}) use this pool.</li>
 * </ul>
 * Thread-safe; the lock is held only to move a connection in or out, never while connecting or closing.
 */
final class KeptConnections {

    /** A kept connection's idle limit: under the idle timeouts of common servers, load balancers and NAT gateways. */
    static final Duration MAX_IDLE = Duration.ofSeconds(20);
    /** How many idle connections one client keeps per host: Helidon's own default cache size. */
    static final int MAX_KEPT = 256;

    private static final List<String> HTTP_1_1 = List.of("http/1.1");
    private static final Tls NO_TLS = Tls.builder().enabled(false).build();

    private final WebClient client;
    private final int maxKept;
    private final long maxIdleNanos;
    private final LongSupplier nanoClock;
    private final ReentrantLock lock = new ReentrantLock();
    /** Per endpoint, idle connections with the most recently released on top (first). */
    private final Map<Endpoint, Deque<Idle>> idle = new HashMap<>();

    KeptConnections(WebClient client) {
        this(client, MAX_KEPT, MAX_IDLE, System::nanoTime);
    }

    /**
     * @param client    the client whose socket options (connect timeout), TLS and DNS settings new connections use
     * @param maxKept   how many idle connections are kept per endpoint
     * @param maxIdle   how long an idle connection is kept
     * @param nanoClock a monotonic clock in nanoseconds
     */
    KeptConnections(WebClient client, int maxKept, Duration maxIdle, LongSupplier nanoClock) {
        this.client = Objects.requireNonNull(client, "client");
        if (maxKept < 1) {
            throw new IllegalArgumentException("maxKept must be at least 1: " + maxKept);
        }
        this.maxKept = maxKept;
        this.maxIdleNanos = maxIdle.toNanos();
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /**
     * Gives {@code request} a connection to send on: the most recently kept one to its endpoint, or with {@code fresh}
     * always a new one. The request is set to HTTP/1.1 up front: left to discover the protocol over TLS, Helidon would
     * open a connection of its own to ask by ALPN and send the first request on that one, leaving this one unused
     * and open.
     *
     * @return the connection, for the caller to close if the request fails before a response owns it
     */
    ClientConnection lend(HttpClientRequest request, boolean fresh) {
        ClientUri uri = request.resolvedUri();
        ClientConnection connection = fresh ? fresh(uri) : take(uri);
        request.protocolId(HTTP_1_1.getFirst()).connection(connection);
        return connection;
    }

    /**
     * The most recently kept connection to {@code uri}'s endpoint, or a new one. A kept connection is not checked:
     * Helidon's {@code isConnected()} stays true for a connection nothing watches, and a close by the vendor shows
     * only when a request goes out on it (see the class comment).
     */
    private ClientConnection take(ClientUri uri) {
        Endpoint endpoint = Endpoint.of(uri);
        List<ClientConnection> expired = new ArrayList<>(0);
        Idle top = null;
        lock.lock();
        try {
            Deque<Idle> stack = idle.get(endpoint);
            if (stack != null) {
                collectExpired(stack, expired);
                top = stack.pollFirst();
            }
        } finally {
            lock.unlock();
        }
        expired.forEach(ClientConnection::closeResource);
        return top != null ? top.connection() : fresh(uri);
    }

    /** A new connection to {@code uri}'s endpoint, kept after its first use like any other. */
    private ClientConnection fresh(ClientUri uri) {
        Endpoint endpoint = Endpoint.of(uri);
        boolean tls = "https".equals(endpoint.scheme());
        var prototype = client.prototype();
        ConnectionKey key = ConnectionKey.create(endpoint.scheme(), endpoint.host(), endpoint.port(),
                                                 tls ? prototype.tls() : NO_TLS,
                                                 prototype.dnsResolver(), prototype.dnsAddressLookup(),
                                                 prototype.proxy());
        return TcpClientConnection.create(client, key, HTTP_1_1,
                                          connection -> keep(endpoint, connection),
                                          connection -> { })
                .connect();
    }

    /** Idle connections kept now, over every endpoint. */
    int kept() {
        lock.lock();
        try {
            return idle.values().stream().mapToInt(Deque::size).sum();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Helidon's release, called once per use (Helidon's response close is itself guarded): keep the connection on
     * top, or tell Helidon to close it ({@code false}).
     */
    private boolean keep(Endpoint endpoint, ClientConnection connection) {
        List<ClientConnection> expired = new ArrayList<>(0);
        boolean kept;
        lock.lock();
        try {
            Deque<Idle> stack = idle.computeIfAbsent(endpoint, e -> new ArrayDeque<>());
            collectExpired(stack, expired);
            kept = stack.size() < maxKept;
            if (kept) {
                stack.addFirst(new Idle(connection, nanoClock.getAsLong()));
            }
        } finally {
            lock.unlock();
        }
        expired.forEach(ClientConnection::closeResource);
        return kept;
    }

    /** Moves the connections idle longer than the limit (at the bottom of the stack) to {@code expired}. */
    private void collectExpired(Deque<Idle> stack, List<ClientConnection> expired) {
        long now = nanoClock.getAsLong();
        Idle oldest;
        while ((oldest = stack.peekLast()) != null && now - oldest.since() > maxIdleNanos) {
            expired.add(stack.pollLast().connection());
        }
    }

    /** Where connections go: requests to the same endpoint may share them. */
    private record Endpoint(String scheme, String host, int port) {
        static Endpoint of(ClientUri uri) {
            return new Endpoint(uri.scheme(), uri.host(), uri.port());
        }
    }

    /** An idle connection and when it was released, on {@link #nanoClock}. */
    private record Idle(ClientConnection connection, long since) {
    }
}
