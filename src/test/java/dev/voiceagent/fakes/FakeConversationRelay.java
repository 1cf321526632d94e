package dev.voiceagent.fakes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Twilio ConversationRelay's side of the {@code /twilio/relay} socket, over a real JDK WebSocket: sends the
 * documented messages ({@code setup}, {@code prompt}, {@code dtmf}, {@code interrupt}, {@code error}) and collects
 * what the server sends ({@code text} tokens, {@code end}). Like Twilio, it sends a signed handshake and the TwiML's
 * {@code <Parameter>}s in {@code setup.customParameters}. Thread-safe; every wait is bounded.
 */
public final class FakeConversationRelay implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Added to each received message: its arrival time (see {@link #receivedNanos}). */
    private static final String RECEIVED = "_receivedNanos";
    public static final String ACCOUNT_SID = "AC00000000000000000000000000000001";

    /** The client this relay owns (closed with it), or null for a shared one. */
    private final HttpClient client;
    private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    private final List<JsonNode> all = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private WebSocket socket;

    private FakeConversationRelay(HttpClient client) {
        this.client = client;
    }

    /** Opens the socket with the given handshake headers; fails as the JDK client does when refused. */
    public static FakeConversationRelay connect(URI wsUri, Map<String, String> headers) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            return open(client, new FakeConversationRelay(client), wsUri, headers);
        } catch (Exception e) {
            client.shutdownNow();
            throw e;
        }
    }

    /** Like {@link #connect(URI, Map)} over a shared client (a load run), which {@link #close()} leaves open. */
    public static FakeConversationRelay connect(HttpClient shared, URI wsUri, Map<String, String> headers) throws Exception {
        return open(shared, new FakeConversationRelay(null), wsUri, headers);
    }

    private static FakeConversationRelay open(HttpClient client, FakeConversationRelay relay, URI wsUri,
                                              Map<String, String> headers) throws Exception {
        WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach(builder::header);
        relay.socket = builder.buildAsync(wsUri, relay.new Inbound()).get(10, TimeUnit.SECONDS);
        return relay;
    }

    /** When a received message arrived (System.nanoTime), stamped by the socket listener. */
    public static long receivedNanos(JsonNode message) {
        return message.path(RECEIVED).asLong(0);
    }

    /** Sends {@code setup} as Twilio does, with {@code customParameters}. */
    public void setup(String callSid, String from, String to, Map<String, String> customParameters) {
        ObjectNode m = JSON.createObjectNode();
        m.put("type", "setup");
        m.put("sessionId", "VX" + callSid.substring(2));
        m.put("accountSid", ACCOUNT_SID);
        m.put("parentCallSid", "");
        m.put("callSid", callSid);
        m.put("from", from);
        m.put("to", to);
        m.put("forwardedFrom", to);
        m.put("callType", "PSTN");
        m.put("callerName", "");
        m.put("direction", "inbound");
        m.put("callStatus", "RINGING");
        ObjectNode params = m.putObject("customParameters");
        customParameters.forEach(params::put);
        send(m.toString());
    }

    /** A final transcript of what the caller said ({@code last: true}). */
    public void prompt(String words) {
        ObjectNode m = JSON.createObjectNode();
        m.put("type", "prompt");
        m.put("voicePrompt", words);
        m.put("lang", "en-US");
        m.put("last", true);
        send(m.toString());
    }

    public void dtmf(String digit) {
        send("{\"type\":\"dtmf\",\"digit\":\"" + digit + "\"}");
    }

    /** The caller interrupted after {@code utterance} was spoken; the duration as a string, as the live docs show. */
    public void interrupt(String utterance, long durationMs) {
        ObjectNode m = JSON.createObjectNode();
        m.put("type", "interrupt");
        m.put("utteranceUntilInterrupt", utterance);
        m.put("durationUntilInterruptMs", Long.toString(durationMs));
        send(m.toString());
    }

    public void error(String description) {
        ObjectNode m = JSON.createObjectNode();
        m.put("type", "error");
        m.put("description", description);
        send(m.toString());
    }

    /** Sends any text frame as is. */
    public void send(String text) {
        socket.sendText(text, true).join();
    }

    /**
     * The next talk cycle: {@code text} tokens joined, up to and including the one with {@code last: true}.
     *
     * @throws AssertionError if it does not complete within {@code timeout}
     */
    public String awaitReply(Duration timeout) throws InterruptedException {
        StringBuilder reply = new StringBuilder();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode m = next(deadline, "the end of a reply (so far: '" + reply + "')");
            if (!m.path("type").asText().equals("text")) {
                throw new AssertionError("expected a text message, got " + m);
            }
            reply.append(m.get("token").asText());
            if (m.path("last").asBoolean(false)) {
                return reply.toString();
            }
        }
    }

    /** The next message of any type. */
    public JsonNode awaitMessage(Duration timeout) throws InterruptedException {
        return next(System.nanoTime() + timeout.toNanos(), "a message");
    }

    /** The next {@code text} token (not necessarily the last of its reply). */
    public JsonNode awaitToken(Duration timeout) throws InterruptedException {
        return next(System.nanoTime() + timeout.toNanos(), "a token");
    }

    /** Every message the server sent so far. */
    public List<JsonNode> messages() {
        return new ArrayList<>(all);
    }

    /** The close code the server sent, once it closed the socket. */
    public int awaitClose(Duration timeout) throws Exception {
        return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    private JsonNode next(long deadline, String what) throws InterruptedException {
        JsonNode m = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (m == null) {
            throw new AssertionError("timed out waiting for " + what + "; received " + all);
        }
        return m;
    }

    /** Twilio closes the socket when the call ends. */
    public void hangUp() {
        if (!closed.isDone()) {
            socket.sendClose(1000, "call ended").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
    }

    @Override
    public void close() {
        try {
            if (!socket.isOutputClosed()) {
                socket.sendClose(1000, "").orTimeout(2, TimeUnit.SECONDS).exceptionally(e -> null).join();
            }
        } catch (RuntimeException ignored) {
            // already gone
        }
        socket.abort();
        if (client != null) {
            client.shutdownNow();
        }
    }

    private final class Inbound implements WebSocket.Listener {
        private final StringBuilder parts = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            parts.append(data);
            if (last) {
                try {
                    JsonNode m = JSON.readTree(parts.toString());
                    if (m instanceof ObjectNode o) {
                        o.put(RECEIVED, System.nanoTime());
                    }
                    all.add(m);
                    received.add(m);
                } catch (Exception e) {
                    received.add(JSON.createObjectNode().put("type", "unparseable").put("raw", parts.toString()));
                }
                parts.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }
}
