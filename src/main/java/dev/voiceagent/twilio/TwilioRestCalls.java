package dev.voiceagent.twilio;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.voiceagent.vendor.VendorHttp;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;

/**
 * Ends and redirects calls through the Twilio REST API, "Update a Call resource"
 * (https://www.twilio.com/docs/voice/api/call-resource#update-a-call-resource), and sends SMS ("Create a Message").
 * <pre>
 * POST {apiBase}/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json
 * Authorization: Basic base64(AccountSid:AuthToken)   Content-Type: application/x-www-form-urlencoded
 * Status=completed                       ("completed" hangs up even a call in progress; "canceled" would not)
 * Twiml=&lt;Response&gt;…&lt;/Response&gt;       (runs at once instead of the call's TwiML; exclusive with Url; URLs inside absolute)
 * 200 {"sid":"CA…","status":"completed",…}     errors: {"code":20003,"message":"Authenticate","status":401,…}
 *
 * POST {apiBase}/2010-04-01/Accounts/{AccountSid}/Messages.json   To=+1…&amp;From=+1…&amp;Body=…  (Body ≤ 1,600 chars)
 * 201 {"sid":"SM…","status":"queued",…}
 * </pre>
 * {@code timeout} bounds the connect and the wait for the answer. No retries (apart from
 * {@link VendorHttp}'s pooled-connection repair).
 */
public final class TwilioRestCalls implements CallControl, TextMessages {

    /** Twilio's limit on a message body. */
    public static final int MAX_BODY_CHARS = 1600;

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
        updateCall(callSid, "Status=completed");
    }

    @Override
    public void redirect(String callSid, String twiml) {
        if (twiml == null || !twiml.contains("<Response")) {
            throw new IllegalArgumentException("not a TwiML document");
        }
        updateCall(callSid, "Twiml=" + URLEncoder.encode(twiml, StandardCharsets.UTF_8));
    }

    @Override
    public SentMessage send(String from, String to, String body) {
        if (body == null || body.isBlank() || body.length() > MAX_BODY_CHARS) {
            throw new IllegalArgumentException("a message body must have 1 to " + MAX_BODY_CHARS + " characters");
        }
        URI uri = URI.create(accountPath() + "/Messages.json");
        String form = "To=" + URLEncoder.encode(to, StandardCharsets.UTF_8)
                      + "&From=" + URLEncoder.encode(from, StandardCharsets.UTF_8)
                      + "&Body=" + URLEncoder.encode(body, StandardCharsets.UTF_8);
        try (HttpClientResponse response = http.send(() -> form(uri), form)) {
            String text = http.text(response);
            JsonNode message = text.isBlank() ? http.json().createObjectNode() : http.parse(response.status().code(), text);
            String sid = message.path("sid").asText("");
            if (sid.isBlank()) {
                throw http.badResponse(response.status().code(), "message answer has no sid");
            }
            return new SentMessage(sid, message.path("status").asText(""));
        }
    }

    private void updateCall(String callSid, String form) {
        if (callSid == null || !SID.matcher(callSid).matches()) {
            throw new IllegalArgumentException("not a Twilio SID: " + callSid);
        }
        URI uri = URI.create(accountPath() + "/Calls/" + callSid + ".json");
        // 2xx is all we need; the Call resource in the body is not used.
        http.send(() -> form(uri), form).close();
    }

    private String accountPath() {
        if (basicAuth.isEmpty()) {
            throw http.unconfigured("Twilio account SID and auth token");
        }
        if (!SID.matcher(accountSid).matches()) {
            throw new IllegalArgumentException("not a Twilio account SID: " + accountSid);
        }
        return apiBase + "/2010-04-01/Accounts/" + accountSid;
    }

    private HttpClientRequest form(URI uri) {
        return http.post(uri)
                .header(HeaderNames.AUTHORIZATION, basicAuth)
                .accept(MediaTypes.APPLICATION_JSON)
                .contentType(MediaTypes.APPLICATION_FORM_URLENCODED);
    }

    @Override
    public String toString() {
        return "TwilioRestCalls[" + apiBase + ", account " + accountSid + "]";
    }
}
