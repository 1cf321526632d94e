package dev.voiceagent.vendor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

import dev.voiceagent.fakes.ConnectionCountingServer;
import dev.voiceagent.fakes.PacedAnswerServer;
import dev.voiceagent.fakes.PacedAnswerServer.Answer;
import io.helidon.common.tls.Tls;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The read timeout of a request on a kept connection (the clients a call's every turn waits on) holds as a socket
 * timeout would, though the socket has none ({@link ReadWatch}): a vendor that goes silent midway through its answer
 * is a {@code TIMEOUT} after about the read timeout, over plain TCP and TLS; a slow but steady stream, each piece
 * within the timeout, is read to its end however long it takes; an answer whose head does not come in time is a
 * {@code TIMEOUT} and is not sent again (the watcher's close is not taken for a vendor's idle close); a timed-out
 * connection is never reused.
 */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // a read nothing times waits for ever
class BodyReadTimeoutTest {

    private static final Duration TIMEOUT = Duration.ofMillis(300);

    private PacedAnswerServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void anAnswerThatGoesSilentMidwayTimesOut() {
        server = PacedAnswerServer.plain().then(Answer.stuckAfter("first piece "));

        assertTimesOutAfterTheFirstPiece(kept(), server.baseUri());
    }

    @Test
    void anAnswerThatGoesSilentMidwayOverTlsTimesOut() {
        server = PacedAnswerServer.overTls().then(Answer.stuckAfter("first piece "));

        assertTimesOutAfterTheFirstPiece(keptOverTls(), server.baseUri());
    }

    @Test
    void aSlowButSteadyAnswerIsReadToItsEnd() {
        // six pieces 150 ms apart: 900 ms in all, three read timeouts, but never one without data
        server = PacedAnswerServer.plain().then(Answer.paced(TIMEOUT.dividedBy(2), "a", "b", "c", "d", "e", "f"));
        VendorHttp http = kept();

        try (HttpClientResponse response = http.send(get(http, server.baseUri()), null)) {
            assertThat(http.text(response), is("abcdef"));
        }
    }

    @Test
    void anAnswerWhoseHeadComesTooLateTimesOutWithoutAResend() {
        server = PacedAnswerServer.plain().then(Answer.prompt("first"), Answer.headLate(Duration.ofSeconds(5), "late"));
        VendorHttp http = kept();
        try (HttpClientResponse response = http.send(get(http, server.baseUri()), null)) {
            assertThat(http.text(response), is("first"));
        }

        long start = System.nanoTime();
        VendorException e = assertThrows(VendorException.class, () -> http.send(get(http, server.baseUri()), null));

        assertThat(e.kind(), is(VendorException.Kind.TIMEOUT));
        assertThat("the same connection, reused, and no second one for a resend", server.connections(), is(1));
        assertThat(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(4)) < 0, is(true));
    }

    @Test
    void aConnectionWhoseAnswerTimedOutIsNotReused() {
        server = PacedAnswerServer.plain().then(Answer.stuckAfter("first piece "), Answer.prompt("fine"));
        VendorHttp http = kept();
        assertTimesOutAfterTheFirstPiece(http, server.baseUri());

        try (HttpClientResponse response = http.send(get(http, server.baseUri()), null)) {
            assertThat(http.text(response), is("fine"));
        }
        assertThat(server.connections(), is(2));
    }

    private static void assertTimesOutAfterTheFirstPiece(VendorHttp http, URI uri) {
        try (HttpClientResponse response = http.send(get(http, uri), null)) {
            InputStream body = http.body(response);
            byte[] buffer = new byte[64];
            int got = body.read(buffer, 0, buffer.length);
            assertThat(new String(buffer, 0, got, StandardCharsets.UTF_8), is("first piece "));

            long start = System.nanoTime();
            VendorException e = assertThrows(VendorException.class, () -> body.read(buffer, 0, buffer.length));

            assertThat(e.kind(), is(VendorException.Kind.TIMEOUT));
            assertThat(e.getMessage(), containsString("timed out"));
            assertThat(Duration.ofNanos(System.nanoTime() - start), greaterThanOrEqualTo(TIMEOUT));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Supplier<HttpClientRequest> get(VendorHttp http, URI uri) {
        return () -> http.get(uri);
    }

    private static VendorHttp kept() {
        return new VendorHttp("test", VendorHttp.Resend.UNANSWERED, TIMEOUT, TIMEOUT);
    }

    private static VendorHttp keptOverTls() {
        Tls trustingTheTestCertificate = Tls.builder().sslContext(ConnectionCountingServer.sslContext()).build();
        return new VendorHttp("test", VendorHttp.Resend.UNANSWERED, trustingTheTestCertificate, TIMEOUT, TIMEOUT);
    }
}
