package dev.voiceagent.fakes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The listening half of the small socket-level HTTP fakes: a loopback server socket, plain or TLS (the test
 * certificate of {@link ConnectionCountingServer#sslContext()}), whose connections are taken in accept order by the
 * fake's {@code accepted} and served on a virtual thread each; {@link #close()} closes the listener and every
 * connection.
 */
final class LoopbackListener implements AutoCloseable {

    private final ServerSocket server;
    private final boolean tls;
    private final String name;
    private final Function<Socket, Runnable> accepted;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    /**
     * @param name     the prefix of the accepting and serving threads' names
     * @param tls      whether connections speak TLS
     * @param accepted called on the accepting thread, in accept order, with each new connection; returns what serves
     *                 it, run on a thread of its own (it may close the socket when done)
     */
    LoopbackListener(String name, boolean tls, Function<Socket, Runnable> accepted) {
        this.name = name;
        this.tls = tls;
        this.accepted = accepted;
        try {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            this.server = tls
                    ? ConnectionCountingServer.sslContext().getServerSocketFactory().createServerSocket(0, 50, loopback)
                    : new ServerSocket(0, 50, loopback);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofVirtual().name(name + "-accept").start(this::accept);
    }

    /** {@code http://127.0.0.1:port/} or {@code https://localhost:port/} (the certificate's name). */
    URI baseUri() {
        return URI.create((tls ? "https://localhost:" : "http://127.0.0.1:") + server.getLocalPort() + "/");
    }

    /** Whether {@link #close()} was called. */
    boolean isClosed() {
        return server.isClosed();
    }

    @Override
    public void close() {
        closeQuietly(server);
        sockets.forEach(LoopbackListener::closeQuietly);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                Thread.ofVirtual().name(name + "-connection").start(accepted.apply(socket));
            } catch (IOException e) {
                return;     // closed
            }
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
