package dev.voiceagent.stt;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;

import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeStreamingStt;
import dev.voiceagent.fakes.StreamFault;
import dev.voiceagent.vendor.CloudflareAccount;
import dev.voiceagent.vendor.VendorException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** How a socket that cannot be opened is reported, for both streaming models. */
class StreamingHandshakeTest {

    private static final String TOKEN = "cf-token-secret";
    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);

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
    }

    private StreamingSpeechToText nova(CloudflareAccount account) {
        return new WorkersAiNova3(account, "en", Duration.ofMillis(300), Duration.ofMillis(1000), CONNECT_TIMEOUT);
    }

    private StreamingSpeechToText flux(CloudflareAccount account) {
        return new WorkersAiFlux(account, 0.7, 0.5, Duration.ofMillis(5000), CONNECT_TIMEOUT);
    }

    private static VendorException openFails(StreamingSpeechToText stt) {
        return assertThrows(VendorException.class, () -> stt.open("CA1", event -> { }));
    }

    @Test
    void aWrongTokenIsUnauthorizedAndTheMessageHidesIt() {
        CloudflareAccount wrong = new CloudflareAccount(cloudflare.baseUri(), "acc123", "not-the-token");

        VendorException e = openFails(nova(wrong));

        assertThat(e.kind(), is(VendorException.Kind.UNAUTHORIZED));
        assertThat(e.status(), is(401));
        assertThat(e.vendor(), is("cloudflare"));
        assertThat(e.getMessage(), not(containsString("not-the-token")));
        assertThat(fake.sessionCount(), is(0));
    }

    @Test
    void theRightTokenGoesInTheHandshakeAsABearerToken() {
        nova(cloudflare.account()).open("CA1", event -> { }).close();

        assertThat(fake.sessionCount(), is(1));
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 503})
    void serverErrorsAreServerErrors(int status) {
        fake.failNext(StreamFault.refuse(status));

        VendorException e = openFails(nova(cloudflare.account()));

        assertThat(e.kind(), is(VendorException.Kind.SERVER_ERROR));
        assertThat(e.status(), is(status));
    }

    @Test
    void tooManyRequestsIsRateLimited() {
        fake.failNext(StreamFault.refuse(429));

        VendorException e = openFails(flux(cloudflare.account()));

        assertThat(e.kind(), is(VendorException.Kind.RATE_LIMITED));
        assertThat(fake.handshakeCount(), is(1));
    }

    @Test
    void aHandshakeThatIsNeverAnsweredTimesOutWithinTheConnectTimeout() {
        fake.failNext(StreamFault.neverAnswer());
        long start = System.nanoTime();

        VendorException e = openFails(nova(cloudflare.account()));

        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(e.kind(), is(VendorException.Kind.TIMEOUT));
        assertThat(tookMs, lessThan(CONNECT_TIMEOUT.toMillis() + 750));
    }

    @Test
    void aRefusedConnectionIsANetworkError() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        CloudflareAccount nowhere = new CloudflareAccount(URI.create("http://127.0.0.1:" + closedPort), "acc123", TOKEN);

        VendorException e = openFails(nova(nowhere));

        assertThat(e.kind(), is(VendorException.Kind.NETWORK));
        assertThat(e.kind().retryable(), is(true));
    }

    @Test
    void withoutCredentialsNothingIsOpened() {
        CloudflareAccount none = new CloudflareAccount(cloudflare.baseUri(), "acc123", "");

        VendorException e = openFails(flux(none));

        assertThat(e.kind(), is(VendorException.Kind.UNCONFIGURED));
        assertThat(fake.handshakeCount(), is(0));
    }

    @Test
    void fluxRefusedWith400IsRetriedOnceWithoutTheOptionalParameters() {
        fake.failNext(StreamFault.refuse(400));

        flux(cloudflare.account()).open("CA1", event -> { }).close();

        assertThat(fake.handshakeCount(), is(2));
        FakeStreamingStt.Session session = fake.lastSession();
        assertThat(session.query().get("encoding"), is("linear16"));
        assertThat(session.query().get("sample_rate"), is("8000"));
        assertThat(session.query().get("eot_threshold"), is(nullValue()));
        assertThat(session.query().get("eager_eot_threshold"), is(nullValue()));
    }

    @Test
    void fluxRefusedWith400TwiceIsABadResponse() {
        fake.failNext(StreamFault.refuse(400));
        fake.failNext(StreamFault.refuse(400));

        VendorException e = openFails(flux(cloudflare.account()));

        assertThat(e.kind(), is(VendorException.Kind.BAD_RESPONSE));
        assertThat(fake.handshakeCount(), is(2));
    }

    @Test
    void nova3IsNotRetriedOn400() {
        fake.failNext(StreamFault.refuse(400));

        VendorException e = openFails(nova(cloudflare.account()));

        assertThat(e.kind(), is(VendorException.Kind.BAD_RESPONSE));
        assertThat(fake.handshakeCount(), is(1));
    }
}
