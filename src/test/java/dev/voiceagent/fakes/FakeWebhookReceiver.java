package dev.voiceagent.fakes;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A fake of the endpoint a call record is posted to: a GoHighLevel workflow's "Inbound Webhook" trigger, reached at
 * an unguessable {@code /hooks/{locationId}/webhook-trigger/{uuid}} URL without credentials (the URL shape and "no
 * auth header" come from third-party docs; <b>unconfirmed</b>, as is the answer body used here,
 * {@code {"status":"Success: request sent to trigger execution server","id":…}}).
 * <p>
 * Takes {@code POST} with a JSON object body and {@code Content-Type: application/json} (anything else: 400), records
 * each delivery with its headers, and drops a delivery whose {@code Idempotency-Key} it has already accepted (still
 * answering 200, as receivers that honour the key do): {@link #deliveries()} has every accepted POST,
 * {@link #accepted()} only the first of each key. Other paths get 404. Faults as in {@link FakeVendorServer}.
 */
public final class FakeWebhookReceiver extends FakeVendorServer {

    /** The route of the webhook URL. */
    public static final String HOOK = "hook";

    private final String path = "/hooks/ve9EPM428h8vShlRW1KT/webhook-trigger/" + UUID.randomUUID();
    private final ObjectMapper json = new ObjectMapper();
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final Set<String> keysSeen = ConcurrentHashMap.newKeySet();

    public FakeWebhookReceiver() {
        super(Set.of(HOOK));
        start();
    }

    /** The full URL to post to; its path is the secret. */
    public URI url() {
        return URI.create(baseUrl() + path);
    }

    /** Every accepted POST, repeats included, in arrival order. */
    public List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** The accepted POSTs without the repeats of an {@code Idempotency-Key} already seen. */
    public List<Delivery> accepted() {
        return deliveries.stream().filter(d -> !d.repeat()).toList();
    }

    @Override
    protected String routeOf(String method, String requestPath) {
        return method.equals("POST") && requestPath.equals(path) ? HOOK : null;
    }

    @Override
    protected void handle(String route, Exchange exchange) throws IOException {
        ReceivedRequest request = exchange.request();
        if (!String.valueOf(request.header("Content-Type")).startsWith("application/json")) {
            exchange.sendJson(400, error("Content-Type must be application/json"));
            return;
        }
        JsonNode body = jsonObject(json, request.body());
        if (body == null) {
            exchange.sendJson(400, error("body must be a JSON object"));
            return;
        }
        String key = request.header("Idempotency-Key");
        boolean repeat = key != null && !keysSeen.add(key);
        if (isRecording()) {
            deliveries.add(new Delivery(key, repeat, request.headers(), body));
        }
        exchange.sendJson(200, json.createObjectNode()
                .put("status", "Success: request sent to trigger execution server")
                .put("id", UUID.randomUUID().toString()).toString());
    }

    @Override
    protected String errorBody(String route, int status) {
        return error(status >= 500 ? "Internal Server Error" : status == 429 ? "Too Many Requests" : "Bad Request");
    }

    @Override
    protected void notFound(Exchange exchange) throws IOException {
        exchange.sendJson(404, error("Not Found"));
    }

    private String error(String message) {
        return json.createObjectNode().put("status", "error").put("message", message).toString();
    }

    /**
     * One accepted POST.
     *
     * @param idempotencyKey the {@code Idempotency-Key} header, or {@code null}
     * @param repeat         whether a delivery with that key was accepted before
     * @param headers        request headers, names case-insensitive
     * @param body           the JSON body
     */
    public record Delivery(String idempotencyKey, boolean repeat, Map<String, List<String>> headers, JsonNode body) {
    }
}
