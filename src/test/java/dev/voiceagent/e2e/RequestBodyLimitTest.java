package dev.voiceagent.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeTwilioCaller;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;

/**
 * Request bodies are bounded before any work is done with them: an oversized webhook (declared or chunked)
 * gets 413 at once, the server stops reading it, and it goes on answering calls. Raw sockets, so the test
 * sees exactly what the server reads and answers.
 */
class RequestBodyLimitTest {

    private static final int TEN_MB = 10 * 1024 * 1024;
    private static final Duration QUICKLY = Duration.ofSeconds(3);
    private static AgentHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = AgentHarness.start();
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    @Test
    void aTenMegabyteWebhookGets413QuicklyWithoutTheServerReadingItAndCallsGoOn() throws Exception {
        try (Socket socket = connect()) {
            String head = "POST /twilio/voice HTTP/1.1\r\nHost: agent.example.test\r\n"
                          + "Content-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: x\r\n"
                          + "Content-Length: " + TEN_MB + "\r\n\r\n";
            Upload upload = upload(socket, head, TEN_MB, false);
            long started = System.nanoTime();
            String status = statusLine(socket);
            assertThat(status, startsWith("HTTP/1.1 413"));
            assertThat(Duration.ofNanos(System.nanoTime() - started), lessThan(QUICKLY));
            assertThat("the server closed the connection instead of reading 10 MB",
                       upload.sent(Duration.ofSeconds(10)), lessThan((long) TEN_MB));
        }
        serverStillAnswersCalls();
    }

    @Test
    void aChunkedWebhookOverTheLimitGets413AndIsNotReadToTheEnd() throws Exception {
        try (Socket socket = connect()) {
            String head = "POST /twilio/voice HTTP/1.1\r\nHost: agent.example.test\r\n"
                          + "Content-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: x\r\n"
                          + "Transfer-Encoding: chunked\r\n\r\n";
            Upload upload = upload(socket, head, TEN_MB, true);
            long started = System.nanoTime();
            assertThat(statusLine(socket), startsWith("HTTP/1.1 413"));
            assertThat(Duration.ofNanos(System.nanoTime() - started), lessThan(QUICKLY));
            assertThat(upload.sent(Duration.ofSeconds(10)), lessThan((long) TEN_MB));
        }
        serverStillAnswersCalls();
    }

    @Test
    void theCallApiTakesOnlySmallBodies() throws Exception {
        try (Socket socket = connect()) {
            String head = "GET /calls HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + AgentHarness.ADMIN_KEY
                          + "\r\nContent-Length: 100000\r\n\r\n";
            upload(socket, head, 100_000, false);
            assertThat(statusLine(socket), startsWith("HTTP/1.1 413"));
        }
    }

    @Test
    void aNormalSignedWebhookIsStillAnswered() throws Exception {
        String callSid = AgentHarness.newCallSid();
        Map<String, String> form = AgentHarness.voiceForm(callSid, "+15557654321");
        assertThat(h.postVoiceWebhook(form, AgentHarness.sign(AgentHarness.PUBLIC_BASE_URL + "/twilio/voice", form))
                           .statusCode(), is(200));
    }

    private static void serverStillAnswersCalls() throws Exception {
        FakeTwilioCaller caller = h.call();
        assertThat(caller.awaitAudioAfter(0, Duration.ofSeconds(10)) > 0, is(true));
        caller.stop();
        AgentHarness.await(() -> h.activeCalls() == 0, Duration.ofSeconds(10), "call end");
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", h.server.port());
        socket.setSoTimeout((int) QUICKLY.toMillis() * 2);
        return socket;
    }

    /** Bytes of the body written so far, from a writer that stops at the first write error. */
    private record Upload(AtomicLong written, CompletableFuture<Void> done) {
        long sent(Duration wait) throws Exception {
            try {
                done.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the upload neither finished nor was cut off", e);
            }
            return written.get();
        }
    }

    /** Writes the request head, then {@code bodyBytes} of form-ish bytes (chunked or not), on its own thread. */
    private static Upload upload(Socket socket, String head, int bodyBytes, boolean chunked) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        AtomicLong written = new AtomicLong();
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
            byte[] block = new byte[16 * 1024];
            Arrays.fill(block, (byte) 'a');
            try {
                while (written.get() < bodyBytes) {
                    int n = (int) Math.min(block.length, bodyBytes - written.get());
                    if (chunked) {
                        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write(block, 0, n);
                    if (chunked) {
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    written.addAndGet(n);
                }
                if (chunked) {
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
            } catch (IOException e) {
                // the server closed the connection: what the test expects
            }
        }, r -> Thread.ofVirtual().start(r));
        return new Upload(written, done);
    }

    private static String statusLine(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            line.append((char) c);
        }
        return line.toString().strip();
    }
}
