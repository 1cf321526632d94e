package dev.voiceagent.fakes;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * The load generator's {@link LoopbackWebSocket} against a real Helidon WebSocket server ({@link ScriptedMediaServer}):
 * frames of every length encoding both ways (7-bit, 16-bit and 64-bit lengths), and the closing handshake from either
 * side. The Twilio behaviour over it is {@link FakeTwilioCallerOverLoopbackTest}'s.
 */
class LoopbackWebSocketTest {

    private static final Duration WAIT = Duration.ofSeconds(3);

    private final ScriptedMediaServer server = new ScriptedMediaServer();
    private final Received received = new Received();
    private LoopbackWebSocket socket;
    private ScriptedMediaServer.Connection agent;

    @BeforeEach
    void connect() throws Exception {
        socket = LoopbackWebSocket.connect(server.uri(), Map.of("X-Twilio-Signature", "good"), received, WAIT);
        agent = server.awaitConnection(WAIT);
    }

    @AfterEach
    void stop() {
        socket.abort();
        server.close();
    }

    @Test
    void textOfEveryLengthEncodingArrivesIntactAtTheServer() throws Exception {
        List<String> texts = List.of("short", "x".repeat(1_000), "y".repeat(70_000), "ünïcödé €");

        for (String text : texts) {
            socket.sendText(text, true).join();
        }

        long deadline = System.nanoTime() + WAIT.toNanos();
        while (agent.frames().size() < texts.size() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(agent.frames().stream().map(ScriptedMediaServer.Connection.Frame::text).toList(), is(texts));
    }

    @Test
    void textOfEveryLengthEncodingArrivesIntactFromTheServer() throws Exception {
        List<String> texts = List.of("short", "x".repeat(1_000), "y".repeat(70_000), "ünïcödé €");

        texts.forEach(agent::send);

        for (String text : texts) {
            assertThat(received.texts.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS), is(text));
        }
    }

    @Test
    void aCloseFromTheServerIsReportedAndAnswered() throws Exception {
        agent.closeNormally();

        assertThat(received.closed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), is(true));
        assertThat(received.closeCode.get(), is(1000));
        assertThat(socket.isInputClosed(), is(true));
        assertThat(socket.isOutputClosed(), is(true));
    }

    @Test
    void aCloseFromTheClientIsAnsweredByTheServer() throws Exception {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "call ended").join();

        assertThat(agent.awaitCloseFrame(WAIT), is(true));
        assertThat(agent.closeStatus(), is(1000));
        assertThat(received.closed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), is(true));
        assertThat(socket.sendText("late", true).isCompletedExceptionally(), is(true));
    }

    @Test
    void framesAreMaskedAndDecodeBackToThePayload() {
        byte[] payload = "a media frame".getBytes();

        byte[] frame = WebSocketFrames.encode(WebSocketFrames.TEXT, payload, true);

        assertThat(frame[0] & 0xFF, is(0x81));
        assertThat(frame[1] & 0xFF, is(0x80 | payload.length));
        byte[] decoded = new byte[payload.length];
        for (int i = 0; i < payload.length; i++) {
            decoded[i] = (byte) (frame[6 + i] ^ frame[2 + (i & 3)]);
        }
        assertThat(new String(decoded), is("a media frame"));
    }

    /** Records what the socket delivers. */
    private static final class Received implements WebSocket.Listener {
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final CountDownLatch closed = new CountDownLatch(1);
        final AtomicInteger closeCode = new AtomicInteger(-1);

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            texts.add(data.toString());
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.set(statusCode);
            closed.countDown();
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.countDown();
        }
    }
}
