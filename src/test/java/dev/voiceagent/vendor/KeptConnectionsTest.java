package dev.voiceagent.vendor;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.voiceagent.fakes.ConnectionCountingServer;
import io.helidon.common.tls.Tls;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * The connections of the clients a call's every turn waits on (transcription, the model, speech) are this project's
 * own: kept without a watcher thread, reused most recent first, closed after {@link KeptConnections#MAX_IDLE} unused,
 * at most {@code maxKept} per endpoint, over plain TCP and TLS alike; a kept connection the vendor closed meanwhile
 * costs one resend on a new connection, never the request.
 */
class KeptConnectionsTest {

    private static final Duration TIMEOUT = Duration.ofMillis(300);

    private ConnectionCountingServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aConnectionIdleLongerThanTheReadTimeoutIsStillReused() throws InterruptedException {
        // Helidon's own cache gives such a connection up: its watcher's reads add up to the read timeout.
        server = ConnectionCountingServer.plain();
        VendorHttp http = new VendorHttp("test", VendorHttp.Resend.UNANSWERED, TIMEOUT, TIMEOUT);

        get(http);
        Thread.sleep(TIMEOUT.multipliedBy(3).toMillis());
        get(http);

        assertThat(server.requestsPerConnection(), is(List.of(2)));
    }

    @Test
    void theMostRecentlyReleasedConnectionGoesOutFirst() {
        server = ConnectionCountingServer.plain();
        WebClient client = WebClient.builder().build();
        KeptConnections kept = new KeptConnections(client);

        HttpClientResponse first = lend(client, kept).request();
        HttpClientResponse second = lend(client, kept).request();
        readToTheEnd(first, second);
        first.close();
        second.close();
        for (int i = 0; i < 3; i++) {
            try (HttpClientResponse response = lend(client, kept).request()) {
                response.as(String.class);
            }
        }

        assertThat(server.requestsPerConnection(), is(List.of(1, 4)));
        assertThat(kept.kept(), is(2));
    }

    @Test
    void aConnectionUnusedForLongerThanTheLimitIsClosedAndANewOneOpened() throws InterruptedException {
        server = ConnectionCountingServer.plain();
        WebClient client = WebClient.builder().build();
        AtomicLong now = new AtomicLong();
        KeptConnections kept = new KeptConnections(client, 8, KeptConnections.MAX_IDLE, now::get);

        request(client, kept);
        now.addAndGet(KeptConnections.MAX_IDLE.toNanos() - 1);
        request(client, kept);                    // just inside the limit: reused
        now.addAndGet(KeptConnections.MAX_IDLE.toNanos() + 1);
        request(client, kept);                    // past it: closed, a new one

        assertThat(server.requestsPerConnection(), is(List.of(2, 1)));
        assertThat("the expired connection is closed", server.awaitClosedByClient(0, Duration.ofSeconds(5)), is(true));
        assertThat(kept.kept(), is(1));
    }

    @Test
    void noMoreConnectionsAreKeptThanTheLimit() throws InterruptedException {
        server = ConnectionCountingServer.plain();
        WebClient client = WebClient.builder().build();
        KeptConnections kept = new KeptConnections(client, 1, KeptConnections.MAX_IDLE, System::nanoTime);

        HttpClientResponse first = lend(client, kept).request();
        HttpClientResponse second = lend(client, kept).request();
        readToTheEnd(first, second);
        first.close();
        second.close();

        assertThat(kept.kept(), is(1));
        assertThat("the connection over the limit is closed", server.awaitClosedByClient(1, Duration.ofSeconds(5)),
                   is(true));
        assertThat(server.closedByClient().getFirst(), is(false));
    }

    @Test
    void aKeptConnectionTheServerClosedCostsOneResendOnANewConnection() throws InterruptedException {
        server = ConnectionCountingServer.closingEachConnectionAfterOneAnswer();
        VendorHttp http = new VendorHttp("test", VendorHttp.Resend.UNANSWERED, TIMEOUT, TIMEOUT);

        get(http);
        Thread.sleep(100);      // the server's close arrives before the next request goes out on the kept connection
        String second = get(http);

        assertThat(second, is("ok"));
        assertThat(server.requestsPerConnection(), is(List.of(1, 1)));
    }

    @Test
    void connectionsOverTlsAreKeptAndReusedLikePlainOnes() {
        server = ConnectionCountingServer.overTls();
        WebClient client = WebClient.builder()
                .tls(Tls.builder().sslContext(ConnectionCountingServer.sslContext()).build())
                .build();
        KeptConnections kept = new KeptConnections(client);

        for (int i = 0; i < 3; i++) {
            request(client, kept);
        }

        assertThat(server.requestsPerConnection(), is(List.of(3)));
        assertThat(kept.kept(), is(1));
    }

    private String get(VendorHttp http) {
        URI uri = server.baseUri();
        try (HttpClientResponse response = http.send(() -> http.get(uri), null)) {
            return http.text(response);
        }
    }

    /**
     * Helidon keeps a connection whose body was not read only if the whole body has already arrived; the bodies are read
     * so that each connection goes back whatever the timing of the server's packets.
     */
    private static void readToTheEnd(HttpClientResponse... responses) {
        for (HttpClientResponse response : responses) {
            assertThat(response.as(String.class), is("ok"));
        }
    }

    private HttpClientRequest lend(WebClient client, KeptConnections kept) {
        HttpClientRequest request = client.get().uri(server.baseUri());
        kept.lend(request, false);
        return request;
    }

    private void request(WebClient client, KeptConnections kept) {
        try (HttpClientResponse response = lend(client, kept).request()) {
            assertThat(response.as(String.class), is("ok"));
        }
    }
}
