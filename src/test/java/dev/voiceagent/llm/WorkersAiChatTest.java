package dev.voiceagent.llm;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeVendorServer.ReceivedRequest;
import dev.voiceagent.fakes.Fault;
import dev.voiceagent.vendor.CloudflareAccount;
import dev.voiceagent.vendor.VendorException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WorkersAiChatTest {

    private static final String TOKEN = "cf-token-secret";
    private static final String MODEL = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
    private static final Duration FIRST_TOKEN_TIMEOUT = Duration.ofMillis(400);
    private static final ChatRequest REQUEST = new ChatRequest(MODEL,
            List.of(ChatMessage.system("You are a receptionist."), ChatMessage.user("Are you open today?")),
            120, 0.4);

    private FakeCloudflare cloudflare;
    private WorkersAiChat chat;

    @BeforeEach
    void startFake() {
        cloudflare = new FakeCloudflare("acc123", TOKEN);
        chat = new WorkersAiChat(cloudflare.account(), FIRST_TOKEN_TIMEOUT);
    }

    @AfterEach
    void stopFake() {
        cloudflare.close();
    }

    @Test
    void streamsTheReplyAsDeltasThatJoinToTheWholeText() {
        cloudflare.queueReplies("Yes, we are open until nine tonight.");
        List<String> deltas = new CopyOnWriteArrayList<>();

        chat.stream(REQUEST, deltas::add);

        assertThat(String.join("", deltas), is("Yes, we are open until nine tonight."));
        assertThat(deltas.size(), is(7));
    }

    @Test
    void sendsTheDocumentedStreamingRequest() {
        chat.stream(REQUEST, delta -> true);

        ReceivedRequest request = cloudflare.requests(FakeCloudflare.LLM).getFirst();
        assertThat(request.uri().getRawPath(), is("/accounts/acc123/ai/run/@cf/meta/llama-3.3-70b-instruct-fp8-fast"));
        assertThat(request.header("Authorization"), is("Bearer " + TOKEN));
        assertThat(request.header("Accept"), is("text/event-stream"));
        assertThat(request.header("Content-Type"), containsString("application/json"));
        FakeCloudflare.ChatCall call = cloudflare.chatCalls().getFirst();
        assertThat(call.model(), is(MODEL));
        assertThat(call.stream(), is(true));
        assertThat(call.messages(), is(List.of(
                Map.of("role", "system", "content", "You are a receptionist."),
                Map.of("role", "user", "content", "Are you open today?"))));
        assertThat(call.body().path("max_tokens").asInt(), is(120));
        assertThat(call.body().path("temperature").asDouble(), is(0.4));
    }

    @Test
    void firstTokenArrivesLongBeforeTheStreamEnds() {
        cloudflare.queueReplies("one two three four five six");
        cloudflare.tokenInterval(Duration.ofMillis(100));
        long start = System.nanoTime();
        long[] firstTokenAt = {-1};

        chat.stream(REQUEST, delta -> {
            if (firstTokenAt[0] < 0) {
                firstTokenAt[0] = System.nanoTime();
            }
            return true;
        });

        long firstMillis = (firstTokenAt[0] - start) / 1_000_000;
        long totalMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(totalMillis, greaterThan(450L));
        assertThat(firstMillis, lessThan(totalMillis - 400));
    }

    @Test
    void sinkReturningFalseStopsAtOnceAndTheClientKeepsWorking() {
        cloudflare.queueReplies("a b c d e f g h i j k l m n o p q r s t", "Fine.");
        cloudflare.tokenInterval(Duration.ofMillis(100));
        List<String> deltas = new CopyOnWriteArrayList<>();
        long start = System.nanoTime();

        chat.stream(REQUEST, delta -> {
            deltas.add(delta);
            return false;
        });

        assertThat((System.nanoTime() - start) / 1_000_000, lessThan(500L));
        assertThat(deltas, contains("a "));
        List<String> next = new CopyOnWriteArrayList<>();
        chat.stream(REQUEST, next::add);
        assertThat(String.join("", next), is("Fine."));
    }

    @Test
    void openAiStyleChunksAreUnderstood() {
        cloudflare.failNext(FakeCloudflare.LLM, Fault.reply(200, "text/event-stream",
                "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n"
                        + "data: {\"choices\":[{\"delta\":{\"content\":\"Hello\"}}]}\n\n"
                        + ": keep-alive comment\n\n"
                        + "data: {\"choices\":[{\"delta\":{\"content\":\" there\"}}]}\n\n"
                        + "data: [DONE]\n\n"));
        List<String> deltas = new CopyOnWriteArrayList<>();

        chat.stream(REQUEST, deltas::add);

        assertThat(deltas, contains("Hello", " there"));
    }

    @Test
    void unknownKeysAndEmptyResponsesAreSkipped() {
        cloudflare.failNext(FakeCloudflare.LLM, Fault.reply(200, "text/event-stream",
                "data: {\"response\":\"Hi\",\"p\":\"abcdef\"}\n\n"
                        + "data: {\"response\":\"\",\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}\n\n"
                        + "data: [DONE]\n\n"));
        List<String> deltas = new CopyOnWriteArrayList<>();

        chat.stream(REQUEST, deltas::add);

        assertThat(deltas, contains("Hi"));
    }

    @Test
    void streamEndingWithoutDoneIsAStreamCut() {
        cloudflare.failNext(FakeCloudflare.LLM, Fault.reply(200, "text/event-stream",
                "data: {\"response\":\"Hi\"}\n\n"));
        List<String> deltas = new CopyOnWriteArrayList<>();

        VendorException e = assertThrows(VendorException.class, () -> chat.stream(REQUEST, deltas::add));

        assertThat(e.kind(), is(VendorException.Kind.STREAM_CUT));
        assertThat(deltas, contains("Hi"));
    }

    @Test
    void connectionDroppedMidStreamIsAStreamCutAfterTheTokensSoFar() {
        cloudflare.queueReplies("one two three four");
        cloudflare.failNext(FakeCloudflare.LLM, Fault.cutAfterBytes(60)); // two 27-byte events, then part of a third
        List<String> deltas = new CopyOnWriteArrayList<>();

        VendorException e = assertThrows(VendorException.class, () -> chat.stream(REQUEST, deltas::add));

        assertThat(e.kind(), is(VendorException.Kind.STREAM_CUT));
        assertThat(deltas, contains("one ", "two "));
    }

    @Test
    void slowFirstTokenTimesOut() {
        cloudflare.firstTokenLatency(Duration.ofSeconds(2));

        VendorException e = assertThrows(VendorException.class, () -> chat.stream(REQUEST, delta -> true));

        assertThat(e.kind(), is(VendorException.Kind.TIMEOUT));
    }

    @Test
    void slowResponseHeadersTimeOut() {
        cloudflare.failNext(FakeCloudflare.LLM, Fault.delay(Duration.ofSeconds(2)));

        VendorException e = assertThrows(VendorException.class, () -> chat.stream(REQUEST, delta -> true));

        assertThat(e.kind(), is(VendorException.Kind.TIMEOUT));
    }

    @Test
    void wrongTokenIsUnauthorized() {
        WorkersAiChat wrong = new WorkersAiChat(
                new CloudflareAccount(cloudflare.baseUri(), "acc123", "stolen-or-stale"), FIRST_TOKEN_TIMEOUT);

        VendorException e = assertThrows(VendorException.class, () -> wrong.stream(REQUEST, delta -> true));

        assertThat(e.kind(), is(VendorException.Kind.UNAUTHORIZED));
        assertThat(e.getMessage(), not(containsString("stolen-or-stale")));
    }

    @Test
    void capacityErrorIsRateLimited() {
        cloudflare.failNext(FakeCloudflare.LLM, Fault.status(429));

        VendorException e = assertThrows(VendorException.class, () -> chat.stream(REQUEST, delta -> true));

        assertThat(e.kind(), is(VendorException.Kind.RATE_LIMITED));
        assertThat(e.getMessage(), containsString("3040"));
    }

    @Test
    void dailyAllocationUsedUpIsRateLimited() {
        cloudflare.failNext(FakeCloudflare.LLM, Fault.reply(429, "application/json",
                "{\"errors\":[{\"code\":3036,\"message\":\"You have used up your daily free allocation of 10,000 neurons.\"}],"
                        + "\"success\":false,\"result\":{},\"messages\":[]}"));

        VendorException e = assertThrows(VendorException.class, () -> chat.stream(REQUEST, delta -> true));

        assertThat(e.kind(), is(VendorException.Kind.RATE_LIMITED));
        assertThat(e.getMessage(), containsString("code 3036: You have used up your daily free allocation"));
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 503})
    void serverErrorsAreServerErrors(int status) {
        cloudflare.failNext(FakeCloudflare.LLM, Fault.status(status));

        VendorException e = assertThrows(VendorException.class, () -> chat.stream(REQUEST, delta -> true));

        assertThat(e.kind(), is(VendorException.Kind.SERVER_ERROR));
    }

    @Test
    void unstreamedJsonAnswerIsDeliveredAsOneDelta() {
        cloudflare.failNext(FakeCloudflare.LLM, Fault.reply(200, "application/json",
                "{\"result\":{\"response\":\"We open at nine.\"},\"success\":true,\"errors\":[],\"messages\":[]}"));
        List<String> deltas = new CopyOnWriteArrayList<>();

        chat.stream(REQUEST, deltas::add);

        assertThat(deltas, contains("We open at nine."));
    }

    @Test
    void interruptingTheCallerEndsTheStreamQuietly() throws Exception {
        cloudflare.queueReplies("a b c d e f g h i j k l m n o p q r s t");
        cloudflare.tokenInterval(Duration.ofMillis(100));
        List<String> deltas = new CopyOnWriteArrayList<>();
        Throwable[] thrown = {null};
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                chat.stream(REQUEST, deltas::add);
            } catch (Throwable t) {
                thrown[0] = t;
            }
        });

        Thread.sleep(250);
        caller.interrupt();
        caller.join(Duration.ofSeconds(1));

        assertThat(caller.isAlive(), is(false));
        assertThat(thrown[0], is(nullValue()));
        assertThat(deltas.size(), lessThan(10));
    }
}
