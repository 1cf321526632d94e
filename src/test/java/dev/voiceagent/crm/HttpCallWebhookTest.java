package dev.voiceagent.crm;

import java.net.URI;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.voiceagent.fakes.FakeVendorServer.ReceivedRequest;
import dev.voiceagent.fakes.FakeWebhookReceiver;
import dev.voiceagent.fakes.Fault;
import dev.voiceagent.vendor.VendorException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HttpCallWebhookTest {

    private static final String CALL_SID = "CA0123456789abcdef0123456789abcdef";
    private static final String RECORD = "{\"callSid\":\"" + CALL_SID + "\",\"from\":\"+15557654321\","
            + "\"summary\":\"Booked a table.\",\"facts\":{\"name\":\"Jane Doe\"}}";
    // generous for a loaded machine (a test JVM's first request also loads the client); aSlowReceiverTimesOut's
    // receiver is slower still
    private static final Duration TIMEOUT = Duration.ofMillis(2000);

    private final ObjectMapper json = new ObjectMapper();
    private FakeWebhookReceiver receiver;
    private HttpCallWebhook webhook;

    @BeforeEach
    void startFake() {
        receiver = new FakeWebhookReceiver();
        webhook = new HttpCallWebhook(receiver.url(), TIMEOUT);
    }

    @AfterEach
    void stopFake() {
        receiver.close();
    }

    @Test
    void postsTheRecordAsJsonWithTheCallSidAsIdempotencyKey() throws Exception {
        webhook.post(CALL_SID, RECORD);

        FakeWebhookReceiver.Delivery delivery = receiver.deliveries().getFirst();
        assertThat(delivery.body(), is(json.readTree(RECORD)));
        assertThat(delivery.idempotencyKey(), is(CALL_SID));
        ReceivedRequest request = receiver.requests(FakeWebhookReceiver.HOOK).getFirst();
        assertThat(request.method(), is("POST"));
        assertThat(request.uri().getRawPath(), is(receiver.url().getRawPath()));
        assertThat(request.header("Content-Type"), containsString("application/json"));
        assertThat(request.header("Idempotency-Key"), is(CALL_SID));
    }

    @Test
    void aRepeatedDeliveryCarriesTheSameKeySoTheReceiverCanDropIt() {
        webhook.post(CALL_SID, RECORD);
        webhook.post(CALL_SID, RECORD);

        assertThat(receiver.deliveries().size(), is(2));
        assertThat(receiver.accepted().size(), is(1));
        assertThat(receiver.deliveries().get(1).repeat(), is(true));
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 201, 202, 204})
    void anyTwoHundredIsADelivery(int status) {
        receiver.failNext(FakeWebhookReceiver.HOOK, Fault.reply(status, "text/plain", status == 204 ? "" : "ok"));

        webhook.post(CALL_SID, RECORD);

        assertThat(receiver.requestCount(FakeWebhookReceiver.HOOK), is(1));
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503})
    void serverErrorsAreServerErrorsOfTheWebhook(int status) {
        receiver.failNext(FakeWebhookReceiver.HOOK, Fault.status(status));

        VendorException e = assertThrows(VendorException.class, () -> webhook.post(CALL_SID, RECORD));

        assertThat(e.kind(), is(VendorException.Kind.SERVER_ERROR));
        assertThat(e.vendor(), is("crm-webhook"));
        assertThat(e.status(), is(status));
    }

    @Test
    void a429CarriesItsRetryAfter() {
        receiver.failNext(FakeWebhookReceiver.HOOK, Fault.reply(429, "application/json", "{\"message\":\"slow down\"}",
                Map.of("Retry-After", "7")));

        VendorException e = assertThrows(VendorException.class, () -> webhook.post(CALL_SID, RECORD));

        assertThat(e.kind(), is(VendorException.Kind.RATE_LIMITED));
        assertThat(e.retryAfter(), is(Optional.of(Duration.ofSeconds(7))));
    }

    @Test
    void a429WithoutRetryAfterLeavesTheWaitToTheCaller() {
        receiver.failNext(FakeWebhookReceiver.HOOK, Fault.status(429));

        VendorException e = assertThrows(VendorException.class, () -> webhook.post(CALL_SID, RECORD));

        assertThat(e.kind(), is(VendorException.Kind.RATE_LIMITED));
        assertThat(e.retryAfter(), is(Optional.empty()));
    }

    @Test
    void a503WithAnHttpDateRetryAfterCarriesTheTimeLeft() {
        String inFiveSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(5));
        receiver.failNext(FakeWebhookReceiver.HOOK, Fault.reply(503, "text/plain", "maintenance",
                Map.of("Retry-After", inFiveSeconds)));

        VendorException e = assertThrows(VendorException.class, () -> webhook.post(CALL_SID, RECORD));

        assertThat(e.kind(), is(VendorException.Kind.SERVER_ERROR));
        assertThat(e.retryAfter().orElseThrow().toMillis(), greaterThan(3000L));
        assertThat(e.retryAfter().orElseThrow().toMillis(), lessThanOrEqualTo(5000L));
    }

    @Test
    void unauthorizedAndMissingHooksAreNotRetryable() {
        receiver.failNext(FakeWebhookReceiver.HOOK, Fault.status(401));
        VendorException unauthorized = assertThrows(VendorException.class, () -> webhook.post(CALL_SID, RECORD));
        HttpCallWebhook wrongPath = new HttpCallWebhook(URI.create(receiver.baseUrl() + "/hooks/nope"), TIMEOUT);
        VendorException missing = assertThrows(VendorException.class, () -> wrongPath.post(CALL_SID, RECORD));

        assertThat(unauthorized.kind(), is(VendorException.Kind.UNAUTHORIZED));
        assertThat(missing.kind(), is(VendorException.Kind.BAD_RESPONSE));
        assertThat(missing.status(), is(404));
        assertThat(missing.kind().retryable(), is(false));
    }

    @Test
    void aRedirectIsNotFollowed() {
        receiver.failNext(FakeWebhookReceiver.HOOK, Fault.reply(302, "text/plain", "",
                Map.of("Location", receiver.baseUrl() + "/elsewhere")));

        VendorException e = assertThrows(VendorException.class, () -> webhook.post(CALL_SID, RECORD));

        assertThat(e.kind(), is(VendorException.Kind.BAD_RESPONSE));
        assertThat(e.status(), is(302));
        assertThat(receiver.requestCount(FakeWebhookReceiver.HOOK), is(1));
    }

    @Test
    void theSecretUrlNeverAppearsInAMessage() {
        receiver.failNext(FakeWebhookReceiver.HOOK, Fault.reply(400, "text/plain",
                "no workflow listens on " + receiver.url() + " (path " + receiver.url().getRawPath() + ")"));

        VendorException e = assertThrows(VendorException.class, () -> webhook.post(CALL_SID, RECORD));

        assertThat(e.getMessage(), not(containsString(receiver.url().getRawPath())));
        assertThat(e.getMessage(), containsString("no workflow listens on"));
        assertThat(webhook.toString(), not(containsString(receiver.url().getRawPath())));
    }

    @Test
    void aSlowReceiverTimesOut() {
        receiver.failAlways(FakeWebhookReceiver.HOOK, Fault.delay(Duration.ofSeconds(4)));

        long start = System.nanoTime();
        VendorException e = assertThrows(VendorException.class, () -> webhook.post(CALL_SID, RECORD));

        assertThat(e.kind(), is(VendorException.Kind.TIMEOUT));
        assertThat("not waiting for the slow answer", Duration.ofNanos(System.nanoTime() - start).toMillis(),
                   lessThan(3500L));
    }

    @Test
    void anUnreachableReceiverIsANetworkFailure() {
        URI url = receiver.url();
        receiver.close();
        HttpCallWebhook unreachable = new HttpCallWebhook(url, TIMEOUT);

        VendorException e = assertThrows(VendorException.class, () -> unreachable.post(CALL_SID, RECORD));

        assertThat(e.kind(), is(VendorException.Kind.NETWORK));
        assertThat(e.getMessage(), not(containsString(url.getRawPath())));
    }

    @Test
    void badArgumentsAreRefusedBeforeAnyRequest() {
        assertThrows(IllegalArgumentException.class, () -> new HttpCallWebhook(URI.create("ftp://example.test/x"), TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> new HttpCallWebhook(URI.create("/relative"), TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> webhook.post(" ", RECORD));
        assertThrows(IllegalArgumentException.class, () -> webhook.post("CA1\r\nX-Evil: 1", RECORD));

        assertThat(receiver.requestCount(FakeWebhookReceiver.HOOK), is(0));
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 20, unit = java.util.concurrent.TimeUnit.SECONDS)
    void anEndless2xxAnswerIsReadOnlyUpToItsBound() throws Exception {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
            Thread endless = Thread.ofVirtual().start(() -> {
                try (java.net.Socket s = server.accept()) {
                    java.io.InputStream in = s.getInputStream();
                    byte[] head = new byte[8192];
                    in.read(head); // the request; its body is small
                    java.io.OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                               + "Transfer-Encoding: chunked\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    byte[] chunk = ("1000\r\n" + "x".repeat(0x1000) + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    while (true) { // never ends, as fast as the client reads
                        out.write(chunk);
                        sent.addAndGet(0x1000);
                    }
                } catch (java.io.IOException e) {
                    // the client hung up: expected
                }
            });
            HttpCallWebhook bounded = new HttpCallWebhook(java.net.URI.create("http://127.0.0.1:" + server.getLocalPort()
                                                                              + "/hook"), Duration.ofSeconds(2));
            bounded.post(CALL_SID, RECORD); // a 2xx: delivered, without reading forever
            endless.join(Duration.ofSeconds(5));
            assertThat("the server saw the client go", endless.isAlive(), is(false));
            assertThat("read far less than an endless body", sent.get(),
                       lessThan((long) HttpCallWebhook.MAX_RESPONSE_BYTES * 64));
        }
    }
}
