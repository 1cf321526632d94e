package dev.voiceagent.fakes;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The public port of a fake whose HTTP part runs on the JDK {@code HttpServer} (which cannot upgrade to WebSocket):
 * a raw loopback {@link ServerSocket} that reads each connection's first request head; a WebSocket upgrade the
 * {@link Upgrades} handler claims is given to it with the socket, anything else is relayed byte for byte to the
 * HTTP server (the head as read, then both directions pumped until either side ends).
 * <p>
 * Threads: one acceptor virtual thread; per connection one virtual thread (plus one more while relaying). No per-byte
 * work beyond the copy, so a load test's hundreds of connections cost little.
 */
final class FrontDoor implements AutoCloseable {

    private static final int LISTEN_BACKLOG = 1024;
    private static final int CONNECT_TIMEOUT_MS = 2000;

    /** Takes over the WebSocket upgrades it wants. */
    interface Upgrades {

        /** Whether this upgrade is for the handler. */
        boolean claims(HttpHead head);

        /** Serves the claimed upgrade on this thread; owns {@code socket} from now on. */
        void serve(Socket socket, InputStream in, HttpHead head);
    }

    private final ServerSocket listener;
    private final InetSocketAddress backend;
    private final Upgrades upgrades;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    /**
     * @param port        the public loopback port, 0 for any free one
     * @param backendPort the loopback port of the HTTP server behind
     */
    FrontDoor(int port, int backendPort, Upgrades upgrades) {
        this.backend = new InetSocketAddress(InetAddress.getLoopbackAddress(), backendPort);
        this.upgrades = upgrades;
        try {
            listener = new ServerSocket();
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), LISTEN_BACKLOG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = Thread.ofVirtual().name("front-door-" + listener.getLocalPort()).start(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    @Override
    public void close() {
        closeQuietly(listener);
        acceptor.interrupt();
        open.forEach(FrontDoor::closeQuietly);
        open.clear();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                client.setTcpNoDelay(true);
                Thread.ofVirtual().start(() -> serve(client));
            } catch (IOException e) {
                // listener closed, or one accept failed: keep serving until closed
            }
        }
    }

    private void serve(Socket client) {
        open.add(client);
        try {
            InputStream in = new BufferedInputStream(client.getInputStream(), 16 * 1024);
            HttpHead head = HttpHead.read(in);
            if (head == null) {
                closeQuietly(client);
                return;
            }
            if (head.isWebSocketUpgrade() && upgrades.claims(head)) {
                upgrades.serve(client, in, head);
                return;
            }
            relay(client, in, head);
        } catch (IOException | RuntimeException e) {
            closeQuietly(client);
        } finally {
            open.remove(client);
        }
    }

    private void relay(Socket client, InputStream clientIn, HttpHead head) throws IOException {
        Socket server = new Socket();
        open.add(server);
        try {
            server.setTcpNoDelay(true);
            server.connect(backend, CONNECT_TIMEOUT_MS);
            OutputStream toServer = server.getOutputStream();
            toServer.write(head.raw());
            toServer.flush();
            Thread back = Thread.ofVirtual().start(() -> pump(server, rawInput(server), client));
            pump(client, clientIn, server);
            back.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(server);
            closeQuietly(client);
            open.remove(server);
        }
    }

    /**
     * Copies {@code from} to {@code to} until {@code from} ends, then half-closes {@code to} so its reader sees the
     * end too; a failure on either side closes both.
     */
    private static void pump(Socket fromSocket, InputStream from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = from.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(fromSocket);
            closeQuietly(to);
        }
    }

    private static InputStream rawInput(Socket socket) {
        try {
            return socket.getInputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
