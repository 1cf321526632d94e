package dev.voiceagent.twilio;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import dev.voiceagent.vendor.VendorHttp;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientRequest;

/**
 * Ends calls through the Twilio REST API, "Update a Call resource"
 * (https://www.twilio.com/docs/voice/api/call-resource#update-a-call-resource).
 * <pre>
 * POST {apiBase}/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json
 * Authorization: Basic base64(AccountSid:AuthToken)   Content-Type: application/x-www-form-urlencoded
 * Status=completed                       ("completed" hangs up even a call in progress; "canceled" would not)
 * 200 {"sid":"CA…","status":"completed",…}     errors: {"code":20003,"message":"Authenticate","status":401,…}
 * </pre>
 * {@code timeout} bounds the connect and the wait for the answer. No retries (apart from
 * {@link VendorHttp}'s pooled-connection repair).
 */
public final class TwilioRestCalls implements CallControl {

    /** The public API root. */
    public static final URI DEFAULT_API_BASE = URI.create("https://api.twilio.com");

    /** Call SIDs are {@code CA} + 32 hex digits; anything path-like must not reach the URL. */
    private static final Pattern SID = Pattern.compile("[A-Za-z0-9]+");

    private final String apiBase;
    private final String accountSid;
    private final String basicAuth;
    private final VendorHttp http;

    public TwilioRestCalls(URI apiBase, String accountSid, String authToken, Duration timeout) {
        String base = Objects.requireNonNull(apiBase, "apiBase").toString();
        this.apiBase = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.accountSid = accountSid == null ? "" : accountSid.strip();
        String token = authToken == null ? "" : authToken.strip();
        this.basicAuth = this.accountSid.isEmpty() || token.isEmpty() ? "" : "Basic " + Base64.getEncoder()
                .encodeToString((this.accountSid + ":" + token).getBytes(StandardCharsets.UTF_8));
        Objects.requireNonNull(timeout, "timeout");
        this.http = new VendorHttp("twilio", timeout, timeout, token, basicAuth);
    }

    @Override
    public void hangUp(String callSid) {
        if (basicAuth.isEmpty()) {
            throw http.unconfigured("Twilio account SID and auth token");
        }
        if (callSid == null || !SID.matcher(callSid).matches() || !SID.matcher(accountSid).matches()) {
            throw new IllegalArgumentException("not a Twilio SID: " + callSid);
        }
        URI uri = URI.create(apiBase + "/2010-04-01/Accounts/" + accountSid + "/Calls/" + callSid + ".json");
        Supplier<HttpClientRequest> post = () -> http.post(uri)
                .header(HeaderNames.AUTHORIZATION, basicAuth)
                .accept(MediaTypes.APPLICATION_JSON)
                .contentType(MediaTypes.APPLICATION_FORM_URLENCODED);
        // 2xx is all we need; the Call resource in the body is not used.
        http.send(post, "Status=completed").close();
    }

    @Override
    public String toString() {
        return "TwilioRestCalls[" + apiBase + ", account " + accountSid + "]";
    }
}
