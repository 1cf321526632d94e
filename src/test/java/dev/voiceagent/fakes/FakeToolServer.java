package dev.voiceagent.fakes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An operator's webhook tool endpoint, as the README tells operators to write one: {@code POST /tools/{name}} with a
 * JSON body {@code {callSid, caller, persona, tool, arguments}}, signed. It recomputes
 * {@code sha256=hex(HMAC-SHA256(secret, timestamp + "." + rawBody))} from {@code X-Voice-Agent-Timestamp} and the
 * raw body, compares it with {@code X-Voice-Agent-Signature} in constant time, and refuses (401) a bad or missing
 * signature, a timestamp more than 5 minutes off, or a signature it has already seen (a replay). Accepted calls are
 * recorded and answered with what {@link #answer} computes from the arguments (JSON), after {@link #latency};
 * faults as in {@link FakeVendorServer} (route = the tool's name).
 */
public final class FakeToolServer extends FakeVendorServer {

    private final String secret;
    private final ObjectMapper json = new ObjectMapper();
    private final List<ToolRequest> calls = new CopyOnWriteArrayList<>();
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    private final Set<String> seenSignatures = ConcurrentHashMap.newKeySet();
    private final Map<String, Function<JsonNode, String>> answers = new ConcurrentHashMap<>();
    private final Map<String, Duration> latency = new ConcurrentHashMap<>();

    /** Serves tools {@code names}, checking signatures with {@code secret}. */
    public FakeToolServer(String secret, String... names) {
        super(Set.of(names));
        this.secret = Objects.requireNonNull(secret, "secret");
        start();
    }

    /** The URL of tool {@code name}. */
    public String url(String name) {
        return baseUrl() + "/tools/" + name;
    }

    /** Answers calls of {@code tool} with the body {@code answer} computes from the arguments. */
    public void answer(String tool, Function<JsonNode, String> answer) {
        answers.put(tool, answer);
    }

    /** Waits this long before answering {@code tool}. */
    public void latency(String tool, Duration wait) {
        latency.put(tool, wait);
    }

    /** Accepted (correctly signed) calls, in order. */
    public List<ToolRequest> calls() {
        return List.copyOf(calls);
    }

    /** Why requests were refused. */
    public List<String> refusals() {
        return List.copyOf(refusals);
    }

    @Override
    protected String routeOf(String method, String path) {
        return method.equals("POST") && path.startsWith("/tools/") ? path.substring("/tools/".length()) : null;
    }

    @Override
    protected void handle(String route, Exchange exchange) throws IOException {
        ReceivedRequest request = exchange.request();
        String why = refusal(request);
        if (why != null) {
            refusals.add(why);
            exchange.sendJson(401, json.createObjectNode().put("error", why).toString());
            return;
        }
        JsonNode body = jsonObject(json, request.body());
        if (body == null || !body.path("arguments").isObject()) {
            exchange.sendJson(400, "{\"error\":\"body must be {callSid, caller, persona, tool, arguments}\"}");
            return;
        }
        calls.add(new ToolRequest(route, request.headers(), body));
        exchange.pause(latency.getOrDefault(route, Duration.ZERO));
        String answer = answers.getOrDefault(route, args -> "{\"ok\":true}").apply(body.path("arguments"));
        exchange.send(200, "application/json", answer.getBytes(StandardCharsets.UTF_8));
    }

    private String refusal(ReceivedRequest request) {
        String timestamp = request.header("X-Voice-Agent-Timestamp");
        String signature = request.header("X-Voice-Agent-Signature");
        if (timestamp == null || signature == null) {
            return "unsigned";
        }
        long sent;
        try {
            sent = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            return "bad timestamp";
        }
        if (Math.abs(Instant.now().getEpochSecond() - sent) > 300) {
            return "stale timestamp";
        }
        String expected = sign(secret, timestamp, request.body());
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII))) {
            return "bad signature";
        }
        if (!seenSignatures.add(signature)) {
            return "replayed";
        }
        return null;
    }

    /** The receiver's side of the scheme, written independently of the server's code. */
    public static String sign(String secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '.');
            StringBuilder hex = new StringBuilder("sha256=");
            for (byte b : mac.doFinal(body)) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected String errorBody(String route, int status) {
        return "{\"error\":\"status " + status + "\"}";
    }

    @Override
    protected void notFound(Exchange exchange) throws IOException {
        exchange.sendJson(404, "{\"error\":\"no such tool\"}");
    }

    /** One accepted tool call: which tool, its headers (names case-insensitive) and its JSON body. */
    public record ToolRequest(String tool, Map<String, List<String>> headers, JsonNode body) {
    }
}
