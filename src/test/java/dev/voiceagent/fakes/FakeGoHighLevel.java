package dev.voiceagent.fakes;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A fake GoHighLevel (LeadConnector) API v2, contacts only: the three operations of the public OpenAPI
 * ({@code GoHighLevel/highlevel-api-docs}, {@code apps/contacts.json}).
 * <ul>
 *     <li>{@link #UPSERT}: {@code POST /contacts/upsert} with an {@code UpsertContactDto} ({@code locationId}
 *     required). Finds the contact by email, then phone (the location's "Allow Duplicate Contact" order used here),
 *     creates it if there is none, and answers 200 {@code {"new":…,"contact":{"id":…,…},"traceId":…}}. {@code tags}
 *     in an upsert replace the contact's tags, as documented.</li>
 *     <li>{@link #NOTES}: {@code POST /contacts/{contactId}/notes} with {@code {"body":…}} (required) and optional
 *     {@code userId}, {@code title}, {@code color}, {@code pinned}; answers 201 {@code {"note":{…}}}.</li>
 *     <li>{@link #TAGS}: {@code POST /contacts/{contactId}/tags} with {@code {"tags":[…]}} (required); adds without
 *     replacing and answers 201 {@code {"tags":[…]}} with the contact's tags.</li>
 * </ul>
 * Every request needs {@code Authorization: Bearer {token}} and {@code Version: 2021-07-28}. Errors use the
 * documented DTOs: 401 {@code {"statusCode":401,"message":"Invalid token: access token is invalid","error":"Unauthorized"}},
 * 422 {@code {"statusCode":422,"message":[…],"error":"Unprocessable Entity"}}, 400 {@code {"statusCode":400,"message":…}}.
 * Not documented, so <b>unconfirmed</b>: a missing or other {@code Version} (400 here), a {@code locationId} the
 * token may not use (403), a note or tags for an unknown contact (400), an unknown path (NestJS-style 404).
 * <p>
 * Rate limits: every answer, faulted or not, carries the documented headers {@code X-RateLimit-Max},
 * {@code X-RateLimit-Remaining}, {@code X-RateLimit-Interval-Milliseconds}, {@code X-RateLimit-Limit-Daily} and
 * {@code X-RateLimit-Daily-Remaining}, counted over a fixed window (default the documented 100 requests per 10 s and
 * 200,000 per day; see {@link #rateLimit}). A request beyond either limit gets a 429, as does a scripted
 * {@code Fault.status(429)}; both say {@code X-RateLimit-Remaining: 0}. The 429 itself, its body and whether it has a
 * {@code Retry-After} are <b>unconfirmed</b> (not in the spec): no {@code Retry-After} unless {@link #retryAfter} asks
 * for one.
 */
public final class FakeGoHighLevel extends FakeVendorServer {

    /** Route of {@code POST /contacts/upsert}. */
    public static final String UPSERT = "upsert";
    /** Route of {@code POST /contacts/{contactId}/notes}. */
    public static final String NOTES = "notes";
    /** Route of {@code POST /contacts/{contactId}/tags}. */
    public static final String TAGS = "tags";
    /** The only API version the contacts endpoints accept. */
    public static final String VERSION = "2021-07-28";

    private static final Pattern CONTACT_PATH = Pattern.compile("/contacts/([A-Za-z0-9]+)/(notes|tags)");

    private final String token;
    private final String locationId;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, ObjectNode> contacts = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final List<Upsert> upserts = new CopyOnWriteArrayList<>();
    private final List<Note> notes = new CopyOnWriteArrayList<>();
    private final List<TagsAdded> tagsAdded = new CopyOnWriteArrayList<>();
    private volatile Duration latency = Duration.ZERO;
    private final Object windowLock = new Object();
    private int windowMax = 100;
    private Duration windowLength = Duration.ofSeconds(10);
    private long dailyLimit = 200_000;
    private long windowStart;
    private int windowUsed;
    private long dailyUsed;
    private volatile Duration retryAfter;

    /** A fake for the sub-account {@code locationId}, reached with the bearer {@code token}, on a free port. */
    public FakeGoHighLevel(String token, String locationId) {
        this(token, locationId, 0);
    }

    /** A fake on a fixed loopback {@code port} (0: any free one). */
    public FakeGoHighLevel(String token, String locationId, int port) {
        super(Set.of(UPSERT, NOTES, TAGS), port);
        this.token = Objects.requireNonNull(token, "token");
        this.locationId = Objects.requireNonNull(locationId, "locationId");
        start();
    }

    /** How long every answer takes; default zero. */
    public void latency(Duration latency) {
        this.latency = Objects.requireNonNull(latency, "latency");
    }

    /**
     * Allows {@code max} requests per fixed window of {@code interval} (starting with the window's first request) and
     * {@code daily} in all; starts a fresh window and day.
     */
    public void rateLimit(int max, Duration interval, long daily) {
        if (max < 1 || interval.toMillis() < 1 || daily < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        synchronized (windowLock) {
            windowMax = max;
            windowLength = interval;
            dailyLimit = daily;
            windowUsed = 0;
            dailyUsed = 0;
        }
    }

    /** A {@code Retry-After} (whole seconds, rounded up) on every 429, or none for {@code null} (the default). */
    public void retryAfter(Duration wait) {
        this.retryAfter = wait;
    }

    /** The stored contact with {@code id}, as the API would return it. */
    public Optional<JsonNode> contact(String id) {
        ObjectNode contact = contacts.get(id);
        synchronized (this) {
            return Optional.ofNullable(contact == null ? null : contact.deepCopy());
        }
    }

    /** How many contacts exist. */
    public int contactCount() {
        return contacts.size();
    }

    /** Accepted upserts, in arrival order. */
    public List<Upsert> upserts() {
        return List.copyOf(upserts);
    }

    /** Created notes, in arrival order. */
    public List<Note> notes() {
        return List.copyOf(notes);
    }

    /** Accepted tag additions, in arrival order. */
    public List<TagsAdded> tagsAdded() {
        return List.copyOf(tagsAdded);
    }

    @Override
    protected String routeOf(String method, String path) {
        if (!method.equals("POST")) {
            return null;
        }
        if (path.equals("/contacts/upsert")) {
            return UPSERT;
        }
        Matcher m = CONTACT_PATH.matcher(path);
        return m.matches() ? (m.group(2).equals("notes") ? NOTES : TAGS) : null;
    }

    @Override
    protected Fault admit(String route, Fault scripted, Exchange exchange) {
        boolean overLimit;
        synchronized (windowLock) {
            long now = System.nanoTime();
            if (windowUsed == 0 || now - windowStart >= windowLength.toNanos()) {
                windowStart = now;
                windowUsed = 0;
            }
            windowUsed++;
            dailyUsed++;
            overLimit = windowUsed > windowMax || dailyUsed > dailyLimit;
            boolean scripted429 = scripted instanceof Fault.Status status && status.httpStatus() == 429;
            boolean rateLimited = overLimit && scripted == null || scripted429;
            exchange.header("X-RateLimit-Max", String.valueOf(windowMax));
            exchange.header("X-RateLimit-Remaining", String.valueOf(scripted429 ? 0 : Math.max(0, windowMax - windowUsed)));
            exchange.header("X-RateLimit-Interval-Milliseconds", String.valueOf(windowLength.toMillis()));
            exchange.header("X-RateLimit-Limit-Daily", String.valueOf(dailyLimit));
            exchange.header("X-RateLimit-Daily-Remaining", String.valueOf(Math.max(0, dailyLimit - dailyUsed)));
            Duration wait = retryAfter;
            if (rateLimited && wait != null) {
                exchange.header("Retry-After", String.valueOf((wait.toMillis() + 999) / 1000));
            }
        }
        return scripted == null && overLimit ? Fault.status(429) : scripted;
    }

    @Override
    protected void handle(String route, Exchange exchange) throws IOException {
        ReceivedRequest request = exchange.request();
        exchange.pause(latency);
        if (!("Bearer " + token).equals(request.header("Authorization"))) {
            exchange.sendJson(401, errorBody(route, 401));
            return;
        }
        if (!VERSION.equals(request.header("Version"))) {
            exchange.sendJson(400, badRequest("Version header must be " + VERSION));
            return;
        }
        JsonNode body = jsonObject(json, request.body());
        if (body == null) {
            exchange.sendJson(422, unprocessable(List.of("body must be a JSON object")));
            return;
        }
        switch (route) {
            case UPSERT -> upsert(body, exchange);
            case NOTES -> note(contactIdOf(request), body, exchange);
            case TAGS -> addTags(contactIdOf(request), body, exchange);
            default -> throw new IllegalStateException(route);
        }
    }

    @Override
    protected String errorBody(String route, int status) {
        return switch (status) {
            case 401 -> json.createObjectNode().put("statusCode", 401)
                    .put("message", "Invalid token: access token is invalid").put("error", "Unauthorized").toString();
            case 422 -> unprocessable(List.of("Unprocessable Entity"));
            case 429 -> json.createObjectNode().put("statusCode", 429)
                    .put("message", "Too Many Requests").toString(); // shape unconfirmed: 429 is not in the spec
            default -> json.createObjectNode().put("statusCode", status)
                    .put("message", status >= 500 ? "Internal Server Error" : "Bad Request").toString();
        };
    }

    @Override
    protected void notFound(Exchange exchange) throws IOException {
        ReceivedRequest request = exchange.request();
        exchange.sendJson(404, json.createObjectNode().put("statusCode", 404)
                .put("message", "Cannot " + request.method() + " " + request.uri().getRawPath())
                .put("error", "Not Found").toString());
    }

    private void upsert(JsonNode body, Exchange exchange) throws IOException {
        List<String> problems = new ArrayList<>();
        if (!body.path("locationId").isTextual()) {
            problems.add("locationId should not be empty");
        }
        if (body.has("tags") && !isStringArray(body.get("tags"))) {
            problems.add("each value in tags must be a string");
        }
        for (String field : List.of("email", "phone", "name", "firstName", "lastName", "source")) {
            if (body.has(field) && !body.get(field).isTextual() && !body.get(field).isNull()) {
                problems.add(field + " must be a string");
            }
        }
        if (!problems.isEmpty()) {
            exchange.sendJson(422, unprocessable(problems));
            return;
        }
        if (!locationId.equals(body.get("locationId").asText())) {
            exchange.sendJson(403, json.createObjectNode().put("statusCode", 403)
                    .put("message", "The token does not have access to this location.").put("error", "Forbidden")
                    .toString());
            return;
        }
        ObjectNode contact;
        boolean created;
        synchronized (this) {
            Optional<ObjectNode> existing = find(body);
            created = existing.isEmpty();
            contact = existing.orElseGet(this::newContact);
            body.fields().forEachRemaining(field -> {
                if (!field.getKey().equals("createNewIfDuplicateAllowed")) {
                    contact.set(field.getKey(), field.getValue().deepCopy());
                }
            });
            contact.put("dateUpdated", Instant.now().toString());
            contacts.put(contact.get("id").asText(), contact);
        }
        if (isRecording()) {
            upserts.add(new Upsert(contact.get("id").asText(), created, body.deepCopy()));
        }
        ObjectNode answer = json.createObjectNode().put("new", created);
        synchronized (this) {
            answer.set("contact", contact.deepCopy());
        }
        answer.put("traceId", UUID.randomUUID().toString());
        exchange.sendJson(200, answer.toString());
    }

    private void note(String contactId, JsonNode body, Exchange exchange) throws IOException {
        if (!body.path("body").isTextual()) {
            exchange.sendJson(422, unprocessable(List.of("body must be a string", "body should not be empty")));
            return;
        }
        if (!contacts.containsKey(contactId)) {
            exchange.sendJson(400, badRequest("Contact not found"));
            return;
        }
        ObjectNode note = json.createObjectNode()
                .put("id", newId())
                .put("body", body.get("body").asText())
                .put("userId", body.path("userId").asText(""))
                .put("dateAdded", Instant.now().toString())
                .put("contactId", contactId)
                .put("title", body.path("title").asText(""))
                .put("color", body.path("color").asText(""))
                .put("pinned", body.path("pinned").asBoolean(false));
        if (isRecording()) {
            notes.add(new Note(contactId, note.deepCopy()));
        }
        ObjectNode answer = json.createObjectNode();
        answer.set("note", note);
        exchange.sendJson(201, answer.toString());
    }

    private void addTags(String contactId, JsonNode body, Exchange exchange) throws IOException {
        if (!isStringArray(body.get("tags"))) {
            exchange.sendJson(422, unprocessable(List.of("tags must be an array", "each value in tags must be a string")));
            return;
        }
        ArrayNode tags;
        synchronized (this) {
            ObjectNode contact = contacts.get(contactId);
            if (contact == null) {
                tags = null;
            } else {
                Set<String> merged = new LinkedHashSet<>();
                contact.path("tags").forEach(t -> merged.add(t.asText()));
                body.get("tags").forEach(t -> merged.add(t.asText()));
                tags = contact.putArray("tags");
                merged.forEach(tags::add);
                tags = tags.deepCopy();
            }
        }
        if (tags == null) {
            exchange.sendJson(400, badRequest("Contact not found"));
            return;
        }
        if (isRecording()) {
            List<String> added = new ArrayList<>();
            body.get("tags").forEach(t -> added.add(t.asText()));
            tagsAdded.add(new TagsAdded(contactId, List.copyOf(added)));
        }
        ObjectNode answer = json.createObjectNode();
        answer.set("tags", tags);
        exchange.sendJson(201, answer.toString());
    }

    /** The contact matching the upsert's email, else its phone (call with the lock held). */
    private Optional<ObjectNode> find(JsonNode body) {
        for (String key : List.of("email", "phone")) {
            String value = body.path(key).asText("");
            if (value.isEmpty()) {
                continue;
            }
            Optional<ObjectNode> match = contacts.values().stream()
                    .filter(c -> key.equals("email") ? value.equalsIgnoreCase(c.path(key).asText(""))
                                                     : value.equals(c.path(key).asText("")))
                    .findFirst();
            if (match.isPresent()) {
                return match;
            }
        }
        return Optional.empty();
    }

    private ObjectNode newContact() {
        ObjectNode contact = json.createObjectNode()
                .put("id", newId())
                .put("locationId", locationId)
                .put("dateAdded", Instant.now().toString());
        contact.putArray("tags");
        return contact;
    }

    /** A 20-character alphanumeric id like GoHighLevel's ({@code seD4PfOuKoVMLkEZqohJ}); unique within this fake. */
    private String newId() {
        return String.format("gh%018d", ids.incrementAndGet());
    }

    private static String contactIdOf(ReceivedRequest request) {
        Matcher m = CONTACT_PATH.matcher(request.uri().getRawPath());
        return m.matches() ? m.group(1) : "";
    }

    private static boolean isStringArray(JsonNode node) {
        if (node == null || !node.isArray()) {
            return false;
        }
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                return false;
            }
        }
        return true;
    }

    private String badRequest(String message) {
        return json.createObjectNode().put("statusCode", 400).put("message", message).toString();
    }

    private String unprocessable(List<String> messages) {
        ObjectNode root = json.createObjectNode().put("statusCode", 422);
        ArrayNode list = root.putArray("message");
        messages.forEach(list::add);
        return root.put("error", "Unprocessable Entity").toString();
    }

    /**
     * One accepted upsert.
     *
     * @param contactId the contact created or updated
     * @param created   whether it was new
     * @param body      the request body
     */
    public record Upsert(String contactId, boolean created, JsonNode body) {
    }

    /** One created note, as answered. */
    public record Note(String contactId, JsonNode note) {
    }

    /** One accepted {@code POST /contacts/{id}/tags}, with the tags sent. */
    public record TagsAdded(String contactId, List<String> tags) {
    }
}
