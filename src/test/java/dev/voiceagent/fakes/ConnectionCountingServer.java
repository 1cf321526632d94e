package dev.voiceagent.fakes;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A small HTTP/1.1 server that answers every request {@code 200 OK} with a short fixed-length body and keeps count of
 * what each TCP connection carried: how many requests, and whether the client has closed it. Over plain TCP or TLS
 * (a self-signed certificate for {@code localhost} and {@code 127.0.0.1}, {@code tls/localhost.p12} in the test
 * resources, made once with {@code keytool -genkeypair -keyalg EC -groupname secp256r1 -dname CN=localhost
 * -ext san=dns:localhost,ip:127.0.0.1 -validity 36500 -storetype PKCS12 -storepass test-only}).
 * <p>
 * It can also close each connection right after its first answer, without saying so ({@code Connection: close} is
 * not sent): what a client meets from a server that closes kept-alive connections on its own idle schedule.
 */
public final class ConnectionCountingServer implements AutoCloseable {

    /** Password of the test keystore; it protects nothing but a test certificate. */
    private static final char[] KEYSTORE_PASSWORD = "test-only".toCharArray();
    private static final byte[] BODY = "ok".getBytes(StandardCharsets.US_ASCII);

    private final boolean closeAfterFirstAnswer;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final LoopbackListener listener;

    private ConnectionCountingServer(boolean tls, boolean closeAfterFirstAnswer) {
        this.closeAfterFirstAnswer = closeAfterFirstAnswer;
        this.listener = new LoopbackListener("counting-server", tls, socket -> {
            Connection connection = new Connection(socket);
            connections.add(connection);
            return connection::serve;
        });
    }

    /** Plain HTTP, connections kept as long as the client keeps them. */
    public static ConnectionCountingServer plain() {
        return new ConnectionCountingServer(false, false);
    }

    /** HTTPS with the test certificate (trust it with {@link #sslContext()}). */
    public static ConnectionCountingServer overTls() {
        return new ConnectionCountingServer(true, false);
    }

    /** Plain HTTP; every connection is closed right after its first answer, with no {@code Connection: close}. */
    public static ConnectionCountingServer closingEachConnectionAfterOneAnswer() {
        return new ConnectionCountingServer(false, true);
    }

    /** A context holding the test certificate as both key and trusted certificate. */
    public static SSLContext sslContext() {
        try (InputStream in = ConnectionCountingServer.class.getResourceAsStream("/tls/localhost.p12")) {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(in, KEYSTORE_PASSWORD);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore, KEYSTORE_PASSWORD);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(keyStore);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("test keystore unusable", e);
        }
    }

    /** {@code http://127.0.0.1:port/} or {@code https://localhost:port/} (the certificate's name). */
    public URI baseUri() {
        return listener.baseUri();
    }

    /** Requests answered on each connection, in the order the connections were accepted. */
    public List<Integer> requestsPerConnection() {
        return connections.stream().map(c -> c.requests.get()).toList();
    }

    /** Whether the client has closed each connection (its end of stream was read), in accept order. */
    public List<Boolean> closedByClient() {
        return connections.stream().map(c -> c.closedByClient).toList();
    }

    /** Waits until the client has closed connection {@code index}, up to {@code limit}; whether it did. */
    public boolean awaitClosedByClient(int index, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (index < connections.size() && connections.get(index).closedByClient) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    @Override
    public void close() {
        listener.close();
    }

    private final class Connection {

        private final Socket socket;
        private final AtomicInteger requests = new AtomicInteger();
        private volatile boolean closedByClient;

        Connection(Socket socket) {
            this.socket = socket;
        }

        void serve() {
            try (socket) {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                while (true) {
                    if (!RequestHeads.skipRequest(in)) {
                        closedByClient = true;
                        return;
                    }
                    requests.incrementAndGet();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + BODY.length
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(BODY);
                    out.flush();
                    if (closeAfterFirstAnswer) {
                        return;
                    }
                }
            } catch (IOException e) {
                closedByClient = !listener.isClosed();   // reset by the client, or our own close
            }
        }
    }
}
