package dev.voiceagent.fakes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The fake streaming STT follows the documented protocol and its speaker script, driven by a plain JDK WebSocket
 * (not the production clients), on the same port as the REST fake.
 */
class FakeStreamingSttTest {

    private static final String TOKEN = "cf-token-secret";
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String NOVA = "/client/v4/accounts/acc123/ai/run/@cf/deepgram/nova-3";
    private static final String NOVA_QUERY = "?encoding=mulaw&sample_rate=8000&interim_results=true&endpointing=300"
            + "&utterance_end_ms=1000&vad_events=true";

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private FakeCloudflare cloudflare;
    private FakeStreamingStt fake;

    @BeforeEach
    void startFake() {
        cloudflare = new FakeCloudflare("acc123", TOKEN);
        fake = cloudflare.streaming();
    }

    @AfterEach
    void stopFake() {
        cloudflare.close();
        http.shutdownNow();   // close() would wait for any socket a test left open
    }

    /** A bare client socket: the messages it got, in order, and how it was closed. */
    private final class Client implements WebSocket.Listener {

        final LinkedBlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        final CompletableFuture<Void> pong = new CompletableFuture<>();
        final List<JsonNode> seen = new ArrayList<>();
        private final StringBuilder text = new StringBuilder();
        WebSocket socket;

        Client open(String pathAndQuery) throws Exception {
            socket = http.newWebSocketBuilder().header("Authorization", "Bearer " + TOKEN)
                    .buildAsync(URI.create("ws://127.0.0.1:" + cloudflare.baseUri().getPort() + pathAndQuery), this)
                    .get(5, TimeUnit.SECONDS);
            return this;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    messages.add(json.readTree(text.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            pong.complete(null);
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closeCode.complete(-1);
        }

        void send(byte[] mulaw, int framesPerMessage) throws Exception {
            int step = 160 * framesPerMessage;
            for (int at = 0; at < mulaw.length; at += step) {
                socket.sendBinary(ByteBuffer.wrap(mulaw, at, Math.min(step, mulaw.length - at)), true).get();
            }
        }

        void control(String type) throws Exception {
            socket.sendText("{\"type\":\"" + type + "\"}", true).get();
        }

        /** The next message of {@code type} (skipping others, which are kept in {@link #seen}). */
        JsonNode await(String type) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                JsonNode next = messages.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (next == null) {
                    throw new AssertionError("no " + type + " within " + WAIT + "; got " + seen);
                }
                seen.add(next);
                if (next.path("type").asText().equals(type)) {
                    return next;
                }
            }
        }
    }

    private static byte[] silence(int millis) {
        byte[] bytes = new byte[millis * 8];
        java.util.Arrays.fill(bytes, (byte) 0xFF);
        return bytes;
    }

    private static String transcript(JsonNode results) {
        return results.path("channel").path("alternatives").path(0).path("transcript").asText();
    }

    @Test
    void lineNoiseAloneIsNotSpeech() throws Exception {
        fake.queueUtterances("should never be heard");
        Client client = new Client().open(NOVA + NOVA_QUERY);

        client.send(FakeTwilioCaller.clip("line_noise"), 5);
        client.control("Finalize");

        JsonNode answer = client.await("Results");
        assertThat(answer.path("from_finalize").asBoolean(), is(true));
        assertThat(transcript(answer), is(""));
        assertThat(client.seen.stream().filter(m -> m.path("type").asText().equals("SpeechStarted")).toList(), is(empty()));
    }

    @Test
    void speechOverNoiseIsSpeech() throws Exception {
        fake.queueUtterances("Hi, I would like to book an appointment for next Tuesday.");
        Client client = new Client().open(NOVA + NOVA_QUERY);

        client.send(FakeTwilioCaller.clip("speech_over_noise"), 5);

        JsonNode started = client.await("SpeechStarted");
        assertThat(started.path("timestamp").asDouble(), is(org.hamcrest.Matchers.greaterThan(0.25)));
    }

    @Test
    void eachSegmentOfSpeechSaysOnePartAndPartsWithoutASegmentAreNeverSaid() throws Exception {
        fake.queueUtterances("I was hoping | to move my appointment | to Friday afternoon. | Is that possible?");
        Client client = new Client().open(NOVA + NOVA_QUERY);

        client.send(FakeTwilioCaller.clip("two_pauses"), 5);
        client.send(silence(600), 5);

        JsonNode end = client.await("Results");
        while (!end.path("speech_final").asBoolean()) {
            end = client.await("Results");
        }
        assertThat(transcript(end), is("I was hoping to move my appointment to Friday afternoon."));
        assertThat(end.path("is_final").asBoolean(), is(true));
        List<JsonNode> interims = client.seen.stream()
                .filter(m -> m.path("type").asText().equals("Results") && !m.path("is_final").asBoolean()).toList();
        assertThat(interims, is(not(empty())));
        assertThat(interims.getFirst().path("metadata").path("request_id").isTextual(), is(true));
    }

    @Test
    void fragmentedControlMessagesAndPingsAreUnderstood() throws Exception {
        Client client = new Client().open(NOVA + NOVA_QUERY);

        client.socket.sendText("{\"type\":", false).get();
        client.socket.sendText("\"Finalize\"}", true).get();
        client.socket.sendPing(ByteBuffer.wrap(new byte[] {1, 2, 3})).get();

        assertThat(client.await("Results").path("from_finalize").asBoolean(), is(true));
        client.pong.get(5, TimeUnit.SECONDS);
        assertThat(fake.lastSession().controlTypes(), contains("Finalize"));
    }

    @Test
    void closeStreamFlushesSendsMetadataAndCloses1000() throws Exception {
        fake.queueUtterances("My name is Jane Doe.");
        Client client = new Client().open(NOVA + NOVA_QUERY);

        client.send(FakeTwilioCaller.clip("my_name"), 5);
        client.control("CloseStream");

        JsonNode last = client.await("Results");
        while (!last.path("is_final").asBoolean()) {
            last = client.await("Results");
        }
        assertThat(transcript(last), is("My name is Jane Doe."));
        client.await("Metadata");
        assertThat(client.closeCode.get(5, TimeUnit.SECONDS), is(1000));
    }

    @Test
    void fluxOpensWithConnectedAndNeedsLinear16() throws Exception {
        String flux = "/accounts/acc123/ai/run/@cf/deepgram/flux";
        Client client = new Client().open(flux + "?encoding=linear16&sample_rate=8000");

        assertThat(client.await("Connected").path("sequence_id").asInt(), is(0));
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> new Client().open(flux + "?encoding=mulaw&sample_rate=8000"));
        assertThat(((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode(), is(400));
    }

    @Test
    void restRequestsOnTheSamePortStillReachTheHttpFake() throws Exception {
        fake.queueUtterances("unused");
        cloudflare.queueReplies("Hello there.");

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create(cloudflare.baseUrl() + "/accounts/acc123/ai/run/@cf/meta/llama-3.1-8b-instruct"))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode(), is(200));
        assertThat(response.body(), containsString("Hello there."));
        ExecutionException notAModel = assertThrows(ExecutionException.class,
                () -> new Client().open("/accounts/acc123/ai/run/@cf/openai/whisper"));
        assertThat(((WebSocketHandshakeException) notAModel.getCause()).getResponse().statusCode(), is(404));
        assertThat(fake.handshakeCount(), is(0));
    }

    @Test
    void closeAllClosesEveryOpenSessionWithTheCode() throws Exception {
        Client first = new Client().open(NOVA + NOVA_QUERY);
        Client second = new Client().open(NOVA + NOVA_QUERY);
        fake.awaitSession(2, WAIT);

        fake.closeAll(1011, "maintenance");

        assertThat(first.closeCode.get(5, TimeUnit.SECONDS), is(1011));
        assertThat(second.closeCode.get(5, TimeUnit.SECONDS), is(1011));
    }

    @Test
    void withRecordingOffOnlyCountsAreKept() throws Exception {
        fake.recording(false);

        Client client = new Client().open(NOVA + NOVA_QUERY);
        client.send(silence(200), 5);

        assertThat(fake.sessionCount(), is(1));
        assertThat(fake.openSessionCount(), is(1));
        assertThat(fake.sessions(), is(empty()));
        client.socket.sendClose(1000, "").get();
        assertThat(client.closeCode.get(5, TimeUnit.SECONDS), is(1000));
    }
}
