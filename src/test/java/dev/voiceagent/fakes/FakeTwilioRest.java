package dev.voiceagent.fakes;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A fake Twilio REST API: "Update a Call resource"
 * (https://www.twilio.com/docs/voice/api/call-resource#update-a-call-resource) and "Create a Message".
 * <p>
 * {@link #CALLS}: {@code POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json} with HTTP Basic
 * {@code AccountSid:AuthToken} and a form body; {@code Status} must be {@code completed} or {@code canceled} (or
 * {@code Url}/{@code Twiml} given). Answers 200 with a minimal Call resource ({@code sid}, {@code account_sid},
 * {@code status}, …).
 * <p>
 * Errors use Twilio's body {@code {"code":N,"message":"…","more_info":"https://www.twilio.com/docs/errors/N","status":S}}:
 * 401 20003 "Authenticate", 404 20404, 429 20429, 500 20500, 503 20503; a bad form is 400 code 21218 (the code Twilio
 * uses there is unconfirmed).
 * <p>
 * An inline {@code Twiml} must be a well-formed {@code <Response>} document (else 400 code 12100 "Document parse
 * failure", <b>unconfirmed</b> for inline TwiML) whose {@code url} and {@code action} attributes are absolute URLs
 * (else 400 code 15004, as documented: "must use absolute URL for action callback").
 * <p>
 * {@link #MESSAGES}: {@code POST /2010-04-01/Accounts/{AccountSid}/Messages.json} (Basic auth, form) with {@code To}
 * (E.164, else 400 21211; missing 21604), {@code From} or {@code MessagingServiceSid} (missing 21603), {@code Body}
 * (missing 21602; over 1,600 characters 21617). When {@link #ownNumbers} is set, a {@code From} not among them is a
 * 400 21606 (codes as on Twilio's error pages; the exact bodies are <b>unconfirmed</b>). Answers 201 with a Message
 * resource ({@code sid} {@code SM…}, {@code status} {@code queued}, {@code to}, {@code from}, {@code body},
 * {@code num_segments}, …).
 */
public final class FakeTwilioRest extends FakeVendorServer {

    /** Route of the call update endpoint. */
    public static final String CALLS = "calls";
    /** Route of the create-message endpoint. */
    public static final String MESSAGES = "messages";
    private static final Pattern MESSAGES_PATH = Pattern.compile("/2010-04-01/Accounts/([^/]+)/Messages\\.json");
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");

    private static final Pattern CALL_PATH = Pattern.compile("/2010-04-01/Accounts/([^/]+)/Calls/([^/]+)\\.json");

    private final String accountSid;
    private final String expectedAuthorization;
    private final ObjectMapper json = new ObjectMapper();
    private final List<CallUpdate> updates = new CopyOnWriteArrayList<>();
    private final Map<String, CompletableFuture<CallUpdate>> firstUpdates = new ConcurrentHashMap<>();
    private final List<Message> messages = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong messageIds = new java.util.concurrent.atomic.AtomicLong();
    private volatile Set<String> ownNumbers = Set.of();

    public FakeTwilioRest(String accountSid, String authToken) {
        this(accountSid, authToken, 0);
    }

    /** A fake on a fixed loopback {@code port} (0: any free one). */
    public FakeTwilioRest(String accountSid, String authToken, int port) {
        super(Set.of(CALLS, MESSAGES), port);
        this.accountSid = Objects.requireNonNull(accountSid, "accountSid");
        this.expectedAuthorization = "Basic " + Base64.getEncoder()
                .encodeToString((accountSid + ":" + authToken).getBytes(StandardCharsets.UTF_8));
        start();
    }

    /** The account's numbers: a message {@code From} another is refused (21606); empty (default) accepts any. */
    public void ownNumbers(Set<String> numbers) {
        this.ownNumbers = Set.copyOf(numbers);
    }

    /** Accepted messages, in arrival order. */
    public List<Message> messages() {
        return List.copyOf(messages);
    }

    /** Accepted call updates, in arrival order. */
    public List<CallUpdate> updates() {
        return List.copyOf(updates);
    }

    /**
     * Waits until an update of {@code callSid} has been accepted; {@code false} if none came in time (always, while
     * {@link #recording(boolean) recording} is off).
     */
    public boolean awaitUpdate(String callSid, Duration timeout) {
        try {
            firstUpdate(callSid).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected String routeOf(String method, String path) {
        if (!method.equals("POST")) {
            return null;
        }
        if (MESSAGES_PATH.matcher(path).matches()) {
            return MESSAGES;
        }
        return CALL_PATH.matcher(path).matches() ? CALLS : null;
    }

    @Override
    protected void handle(String route, Exchange exchange) throws IOException {
        FakeVendorServer.ReceivedRequest request = exchange.request();
        if (!expectedAuthorization.equals(request.header("Authorization"))) {
            exchange.sendJson(401, errorBody(route, 401));
            return;
        }
        if (route.equals(MESSAGES)) {
            message(request, exchange);
            return;
        }
        Matcher path = CALL_PATH.matcher(request.uri().getRawPath());
        if (!path.matches() || !path.group(1).equals(accountSid)) {
            exchange.sendJson(404, error(20404, "The requested resource " + request.uri().getRawPath()
                    + " was not found", 404));
            return;
        }
        String contentType = String.valueOf(request.header("Content-Type"));
        Map<String, String> form = contentType.startsWith("application/x-www-form-urlencoded")
                ? parseForm(request.bodyText()) : Map.of();
        String status = form.get("Status");
        boolean redirect = form.containsKey("Url") || form.containsKey("Twiml");
        if (status == null ? !redirect : !(status.equals("completed") || status.equals("canceled"))) {
            exchange.sendJson(400, error(21218, "Invalid or missing Status: " + status, 400));
            return;
        }
        if (form.containsKey("Twiml")) {
            String problem = twimlProblem(form.get("Twiml"));
            if (problem != null) {
                exchange.sendJson(400, problem);
                return;
            }
        }
        String callSid = path.group(2);
        CallUpdate update = new CallUpdate(callSid, Map.copyOf(form));
        if (isRecording()) {
            updates.add(update);
            firstUpdate(callSid).complete(update);
        }
        ObjectNode call = json.createObjectNode()
                .put("sid", callSid)
                .put("account_sid", accountSid)
                .put("api_version", "2010-04-01")
                .put("status", status == null ? "in-progress" : status)
                .put("uri", "/2010-04-01/Accounts/" + accountSid + "/Calls/" + callSid + ".json");
        exchange.sendJson(200, call.toString());
    }

    @Override
    protected String errorBody(String route, int status) {
        return switch (status) {
            case 401 -> error(20003, "Authenticate", 401);
            case 403 -> error(20403, "Forbidden", 403);
            case 404 -> error(20404, "The requested resource was not found", 404);
            case 429 -> error(20429, "Too Many Requests", 429);
            case 500 -> error(20500, "Internal Server Error", 500);
            case 503 -> error(20503, "Service Unavailable", 503);
            default -> error(status >= 500 ? 20500 : 21218, "Error " + status, status);
        };
    }

    @Override
    protected void notFound(Exchange exchange) throws IOException {
        exchange.sendJson(404, error(20404, "The requested resource " + exchange.request().uri().getRawPath()
                + " was not found", 404));
    }

    private void message(FakeVendorServer.ReceivedRequest request, Exchange exchange) throws IOException {
        Matcher path = MESSAGES_PATH.matcher(request.uri().getRawPath());
        if (!path.matches() || !path.group(1).equals(accountSid)) {
            exchange.sendJson(404, error(20404, "The requested resource " + request.uri().getRawPath()
                    + " was not found", 404));
            return;
        }
        Map<String, String> form = parseForm(request.bodyText());
        String to = form.getOrDefault("To", "");
        String from = form.getOrDefault("From", "");
        String body = form.getOrDefault("Body", "");
        String problem = to.isEmpty() ? error(21604, "A 'To' phone number is required.", 400)
                : !E164.matcher(to).matches() ? error(21211, "Invalid 'To' Phone Number: " + to, 400)
                : from.isEmpty() && !form.containsKey("MessagingServiceSid")
                        ? error(21603, "A 'From' phone number is required.", 400)
                : body.isEmpty() && !form.containsKey("MediaUrl") ? error(21602, "Message body is required.", 400)
                : body.length() > 1600
                        ? error(21617, "The concatenated message body exceeds the 1600 character limit.", 400)
                : !ownNumbers.isEmpty() && !ownNumbers.contains(from)
                        ? error(21606, "The From phone number " + from
                                       + " is not a valid, SMS-capable inbound phone number or short code for your account.", 400)
                : null;
        if (problem != null) {
            exchange.sendJson(400, problem);
            return;
        }
        String sid = String.format("SM%032x", messageIds.incrementAndGet());
        Message message = new Message(sid, to, from, body);
        if (isRecording()) {
            messages.add(message);
        }
        ObjectNode answer = json.createObjectNode()
                .put("account_sid", accountSid)
                .put("api_version", "2010-04-01")
                .put("body", body)
                .put("direction", "outbound-api")
                .put("from", from)
                .put("num_segments", String.valueOf(Math.max(1, (body.length() + 152) / 153)))
                .put("sid", sid)
                .put("status", "queued")
                .put("to", to)
                .put("uri", "/2010-04-01/Accounts/" + accountSid + "/Messages/" + sid + ".json");
        answer.putNull("error_code");
        answer.putNull("error_message");
        exchange.sendJson(201, answer.toString());
    }

    /** Why inline TwiML would be refused, as Twilio's error body; null when it is fine. */
    private String twimlProblem(String twiml) {
        org.w3c.dom.Document document;
        try {
            javax.xml.parsers.DocumentBuilderFactory factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            document = factory.newDocumentBuilder().parse(new org.xml.sax.InputSource(new java.io.StringReader(twiml)));
        } catch (Exception e) {
            return error(12100, "Document parse failure", 400);
        }
        if (!document.getDocumentElement().getTagName().equals("Response")) {
            return error(12100, "Document parse failure: the root element must be Response", 400);
        }
        org.w3c.dom.NodeList all = document.getElementsByTagName("*");
        for (int i = 0; i < all.getLength(); i++) {
            org.w3c.dom.Element element = (org.w3c.dom.Element) all.item(i);
            for (String attribute : List.of("url", "action")) {
                String value = element.getAttribute(attribute);
                if (!value.isEmpty() && !value.startsWith("https://") && !value.startsWith("http://")) {
                    return error(15004, "The TwiML provided for updating the in-progress call must use absolute URL"
                                        + " for action callback", 400);
                }
            }
        }
        return null;
    }

    private CompletableFuture<CallUpdate> firstUpdate(String callSid) {
        return firstUpdates.computeIfAbsent(callSid, sid -> new CompletableFuture<>());
    }

    private String error(int code, String message, int status) {
        return json.createObjectNode()
                .put("code", code)
                .put("message", message)
                .put("more_info", "https://www.twilio.com/docs/errors/" + code)
                .put("status", status)
                .toString();
    }

    private static Map<String, String> parseForm(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            form.putIfAbsent(name, value);
        }
        return form;
    }

    /**
     * One accepted call update.
     *
     * @param form the decoded form parameters, e.g. {@code Status=completed}
     */
    public record CallUpdate(String callSid, Map<String, String> form) {
    }

    /** One accepted message, as sent. */
    public record Message(String sid, String to, String from, String body) {
    }
}
