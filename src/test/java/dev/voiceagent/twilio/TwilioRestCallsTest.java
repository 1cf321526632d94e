package dev.voiceagent.twilio;

import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import dev.voiceagent.fakes.FakeTwilioRest;
import dev.voiceagent.fakes.FakeVendorServer.ReceivedRequest;
import dev.voiceagent.fakes.Fault;
import dev.voiceagent.vendor.VendorException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TwilioRestCallsTest {

    private static final String ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
    private static final String AUTH_TOKEN = "twilio-auth-token-secret";
    private static final String CALL_SID = "CAfedcba9876543210fedcba9876543210";
    private static final Duration TIMEOUT = Duration.ofMillis(400);

    private FakeTwilioRest twilio;
    private TwilioRestCalls calls;

    @BeforeEach
    void startFake() {
        twilio = new FakeTwilioRest(ACCOUNT_SID, AUTH_TOKEN);
        calls = new TwilioRestCalls(twilio.baseUri(), ACCOUNT_SID, AUTH_TOKEN, TIMEOUT);
    }

    @AfterEach
    void stopFake() {
        twilio.close();
    }

    @Test
    void hangUpPostsStatusCompletedWithBasicAuth() {
        calls.hangUp(CALL_SID);

        assertThat(twilio.awaitUpdate(CALL_SID, Duration.ofSeconds(1)), is(true));
        assertThat(twilio.updates(), contains(new FakeTwilioRest.CallUpdate(CALL_SID, Map.of("Status", "completed"))));
        ReceivedRequest request = twilio.requests(FakeTwilioRest.CALLS).getFirst();
        assertThat(request.method(), is("POST"));
        assertThat(request.uri().getRawPath(),
                is("/2010-04-01/Accounts/" + ACCOUNT_SID + "/Calls/" + CALL_SID + ".json"));
        assertThat(request.header("Content-Type"), containsString("application/x-www-form-urlencoded"));
        assertThat(request.header("Authorization"), is("Basic " + Base64.getEncoder()
                .encodeToString((ACCOUNT_SID + ":" + AUTH_TOKEN).getBytes())));
        assertThat(request.bodyText(), is("Status=completed"));
    }

    @Test
    void awaitUpdateIsFalseForACallNobodyEnded() {
        calls.hangUp(CALL_SID);

        assertThat(twilio.awaitUpdate("CAnever", Duration.ofMillis(50)), is(false));
    }

    @Test
    void wrongTokenIsUnauthorizedAndTheMessageHidesTheToken() {
        TwilioRestCalls wrong = new TwilioRestCalls(twilio.baseUri(), ACCOUNT_SID, "wrong-token", TIMEOUT);

        VendorException e = assertThrows(VendorException.class, () -> wrong.hangUp(CALL_SID));

        assertThat(e.kind(), is(VendorException.Kind.UNAUTHORIZED));
        assertThat(e.getMessage(), containsString("code 20003: Authenticate"));
        assertThat(e.getMessage(), not(containsString("wrong-token")));
        assertThat(twilio.updates(), is(empty()));
    }

    @Test
    void otherAccountSidIsUnauthorized() {
        TwilioRestCalls otherAccount = new TwilioRestCalls(twilio.baseUri(), "ACffffffffffffffffffffffffffffffff",
                AUTH_TOKEN, TIMEOUT);

        VendorException e = assertThrows(VendorException.class, () -> otherAccount.hangUp(CALL_SID));

        assertThat(e.kind(), is(VendorException.Kind.UNAUTHORIZED)); // Basic auth names the account, so it fails first
    }

    @Test
    void missingCallIsABadResponse() {
        twilio.failNext(FakeTwilioRest.CALLS, Fault.status(404));

        VendorException e = assertThrows(VendorException.class, () -> calls.hangUp(CALL_SID));

        assertThat(e.kind(), is(VendorException.Kind.BAD_RESPONSE));
        assertThat(e.getMessage(), containsString("code 20404"));
    }

    @Test
    void tooManyRequestsIsRateLimited() {
        twilio.failNext(FakeTwilioRest.CALLS, Fault.status(429));

        VendorException e = assertThrows(VendorException.class, () -> calls.hangUp(CALL_SID));

        assertThat(e.kind(), is(VendorException.Kind.RATE_LIMITED));
        assertThat(e.getMessage(), containsString("code 20429: Too Many Requests"));
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 503})
    void serverErrorsAreServerErrors(int status) {
        twilio.failNext(FakeTwilioRest.CALLS, Fault.status(status));

        VendorException e = assertThrows(VendorException.class, () -> calls.hangUp(CALL_SID));

        assertThat(e.kind(), is(VendorException.Kind.SERVER_ERROR));
    }

    @Test
    void slowTwilioTimesOut() {
        twilio.failNext(FakeTwilioRest.CALLS, Fault.delay(Duration.ofSeconds(2)));

        VendorException e = assertThrows(VendorException.class, () -> calls.hangUp(CALL_SID));

        assertThat(e.kind(), is(VendorException.Kind.TIMEOUT));
    }

    @Test
    void aFailureIsNotRetriedInsideTheClient() {
        twilio.failAlways(FakeTwilioRest.CALLS, Fault.status(503));

        assertThrows(VendorException.class, () -> calls.hangUp(CALL_SID));

        assertThat(twilio.requestCount(FakeTwilioRest.CALLS), is(1));
    }

    @Test
    void pathLikeCallSidIsRejectedBeforeAnyRequest() {
        assertThrows(IllegalArgumentException.class, () -> calls.hangUp("../Accounts/other"));

        assertThat(twilio.requestCount(FakeTwilioRest.CALLS), is(0));
    }

    @Test
    void missingCredentialsFailWithoutCallingTwilio() {
        TwilioRestCalls unconfigured = new TwilioRestCalls(twilio.baseUri(), ACCOUNT_SID, "", TIMEOUT);

        VendorException e = assertThrows(VendorException.class, () -> unconfigured.hangUp(CALL_SID));

        assertThat(e.kind(), is(VendorException.Kind.UNCONFIGURED));
        assertThat(twilio.requestCount(FakeTwilioRest.CALLS), is(0));
    }

    @Test
    void toStringHidesTheToken() {
        assertThat(calls.toString(), not(containsString(AUTH_TOKEN)));
    }
}
