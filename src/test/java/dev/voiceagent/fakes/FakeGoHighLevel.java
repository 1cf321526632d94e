package dev.voiceagent.fakes;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
 * A fake GoHighLevel (LeadConnector) API v2: three contacts operations of the public OpenAPI
 * ({@code GoHighLevel/highlevel-api-docs}, {@code apps/contacts.json}) and the calendar operations the booking tools
 * use ({@code apps/calendars.json}, described after the contacts).
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
 * <p>
 * Calendars (every {@code /calendars} request needs {@code Version: 2021-04-15}; any other is a 400 here, as the
 * contacts version is elsewhere, <b>unconfirmed</b>). A calendar exists once a test {@link #openSlots opens slots} on
 * it; its free slots are the opened start times not taken by an appointment that is not cancelled.
 * <ul>
 *     <li>{@link #FREE_SLOTS}: {@code GET /calendars/{calendarId}/free-slots?startDate={ms}&endDate={ms}&timezone=}
 *     (dates required, epoch ms, at most 31 days apart, else 400); answers 200 with a map keyed by date
 *     ({@code YYYY-MM-DD} in {@code timezone}, default UTC) to {@code {"slots":["2024-10-28T10:00:00-05:00",…]}}, plus a
 *     {@code traceId} key (possible, <b>unconfirmed</b>, so clients must skip it). An unknown calendar is a 400
 *     (<b>unconfirmed</b>).</li>
 *     <li>{@link #CREATE_APPOINTMENT}: {@code POST /calendars/events/appointments}, {@code calendarId},
 *     {@code locationId}, {@code contactId}, {@code startTime} required (400 otherwise); a start that is not a free slot
 *     is a 400 unless {@code ignoreFreeSlotValidation} (message <b>unconfirmed</b>); an unknown contact is a 400.
 *     Answers 200 {@code AppointmentSchemaResponse} ({@code id}, {@code calendarId}, {@code locationId},
 *     {@code contactId}, {@code startTime}, {@code endTime}, {@code title}, {@code appointmentStatus}, …).</li>
 *     <li>{@link #EDIT_APPOINTMENT}: {@code PUT /calendars/events/appointments/{eventId}}; any of {@code startTime},
 *     {@code endTime}, {@code title}, {@code appointmentStatus} (one of the documented values, else 400); 200 with the
 *     appointment; an unknown id is a 400 (<b>unconfirmed</b>).</li>
 *     <li>{@link #DELETE_EVENT}: {@code DELETE /calendars/events/{eventId}} with a JSON body ({@code {}}); 201
 *     {@code {"succeeded":true}}.</li>
 *     <li>{@link #CONTACT_APPOINTMENTS}: {@code GET /contacts/{contactId}/appointments} ({@code Version: 2021-07-28});
 *     200 {@code {"events":[…]}} with times written like the spec's example, {@code "2021-07-16 11:00:00"} (no offset,
 *     in {@link #locationZone the location's zone}), or ISO 8601 with the offset after
 *     {@link #appointmentTimesWithOffset(boolean)}.</li>
 * </ul>
 * Errors are the documented {@code BadRequestDTO} {@code {"statusCode":400,"message":…}} and 401 {@code UnauthorizedDTO}.
 */
public final class FakeGoHighLevel extends FakeVendorServer {

    /** Route of {@code POST /contacts/upsert}. */
    public static final String UPSERT = "upsert";
    /** Route of {@code POST /contacts/{contactId}/notes}. */
    public static final String NOTES = "notes";
    /** Route of {@code POST /contacts/{contactId}/tags}. */
    public static final String TAGS = "tags";
    /** Route of {@code GET /calendars/{calendarId}/free-slots}. */
    public static final String FREE_SLOTS = "free-slots";
    /** Route of {@code POST /calendars/events/appointments}. */
    public static final String CREATE_APPOINTMENT = "create-appointment";
    /** Route of {@code PUT /calendars/events/appointments/{eventId}}. */
    public static final String EDIT_APPOINTMENT = "edit-appointment";
    /** Route of {@code DELETE /calendars/events/{eventId}}. */
    public static final String DELETE_EVENT = "delete-event";
    /** Route of {@code GET /contacts/{contactId}/appointments}. */
    public static final String CONTACT_APPOINTMENTS = "contact-appointments";
    /** The only API version the contacts endpoints accept. */
    public static final String VERSION = "2021-07-28";
    /** The only API version the calendars endpoints accept. */
    public static final String CALENDARS_VERSION = "2021-04-15";

    private static final Pattern CONTACT_PATH = Pattern.compile("/contacts/([A-Za-z0-9]+)/(notes|tags)");
    private static final Pattern CONTACT_APPOINTMENTS_PATH = Pattern.compile("/contacts/([A-Za-z0-9]+)/appointments");
    private static final Pattern FREE_SLOTS_PATH = Pattern.compile("/calendars/([A-Za-z0-9]+)/free-slots");
    private static final Pattern APPOINTMENT_PATH = Pattern.compile("/calendars/events/appointments/([A-Za-z0-9]+)");
    private static final Pattern EVENT_PATH = Pattern.compile("/calendars/events/([A-Za-z0-9]+)");
    private static final Set<String> APPOINTMENT_STATUSES =
            Set.of("new", "confirmed", "cancelled", "showed", "noshow", "invalid");
    private static final DateTimeFormatter SPACED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

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
    private final Map<String, Set<Instant>> openSlots = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> appointments = new java.util.LinkedHashMap<>();
    private volatile ZoneId locationZone = ZoneOffset.UTC;
    private volatile boolean timesWithOffset;

    /** A fake for the sub-account {@code locationId}, reached with the bearer {@code token}, on a free port. */
    public FakeGoHighLevel(String token, String locationId) {
        this(token, locationId, 0);
    }

    /** A fake on a fixed loopback {@code port} (0: any free one). */
    public FakeGoHighLevel(String token, String locationId, int port) {
        super(Set.of(UPSERT, NOTES, TAGS, FREE_SLOTS, CREATE_APPOINTMENT, EDIT_APPOINTMENT, DELETE_EVENT,
                     CONTACT_APPOINTMENTS), port);
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

    /** Opens these start times on {@code calendarId} (creating the calendar): they are free until booked. */
    public void openSlots(String calendarId, List<OffsetDateTime> starts) {
        Set<Instant> slots = openSlots.computeIfAbsent(calendarId, id -> ConcurrentHashMap.newKeySet());
        starts.forEach(start -> slots.add(start.toInstant()));
    }

    /** The location's time zone: a contact's appointment times without an offset are written in it; default UTC. */
    public void locationZone(ZoneId zone) {
        this.locationZone = Objects.requireNonNull(zone, "zone");
    }

    /** Whether a contact's appointments carry ISO 8601 times with an offset instead of the example's form. */
    public void appointmentTimesWithOffset(boolean withOffset) {
        this.timesWithOffset = withOffset;
    }

    /** Every appointment stored (booked or seeded), in creation order, as the API would return it. */
    public List<JsonNode> appointments() {
        synchronized (this) {
            return appointments.values().stream().map(a -> (JsonNode) a.deepCopy()).toList();
        }
    }

    /**
     * Stores an appointment as if booked elsewhere (no request): for a caller's existing appointments.
     *
     * @return its id
     */
    public String seedAppointment(String calendarId, String contactId, OffsetDateTime start, String status,
                                  String title) {
        synchronized (this) {
            ObjectNode appointment = json.createObjectNode()
                    .put("id", newId())
                    .put("calendarId", calendarId)
                    .put("locationId", locationId)
                    .put("contactId", contactId)
                    .put("startTime", start.toString())
                    .put("endTime", start.plusMinutes(30).toString())
                    .put("title", title)
                    .put("appointmentStatus", status);
            appointments.put(appointment.get("id").asText(), appointment);
            return appointment.get("id").asText();
        }
    }

    @Override
    protected String routeOf(String method, String path) {
        switch (method) {
            case "GET" -> {
                if (FREE_SLOTS_PATH.matcher(path).matches()) {
                    return FREE_SLOTS;
                }
                return CONTACT_APPOINTMENTS_PATH.matcher(path).matches() ? CONTACT_APPOINTMENTS : null;
            }
            case "PUT" -> {
                return APPOINTMENT_PATH.matcher(path).matches() ? EDIT_APPOINTMENT : null;
            }
            case "DELETE" -> {
                return EVENT_PATH.matcher(path).matches() ? DELETE_EVENT : null;
            }
            case "POST" -> {
                if (path.equals("/contacts/upsert")) {
                    return UPSERT;
                }
                if (path.equals("/calendars/events/appointments")) {
                    return CREATE_APPOINTMENT;
                }
                Matcher m = CONTACT_PATH.matcher(path);
                return m.matches() ? (m.group(2).equals("notes") ? NOTES : TAGS) : null;
            }
            default -> {
                return null;
            }
        }
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
        boolean calendarsApi = request.uri().getRawPath().startsWith("/calendars/");
        String version = calendarsApi ? CALENDARS_VERSION : VERSION;
        if (!version.equals(request.header("Version"))) {
            exchange.sendJson(400, badRequest("Version header must be " + version));
            return;
        }
        switch (route) {
            case FREE_SLOTS -> {
                freeSlots(request, exchange);
                return;
            }
            case CONTACT_APPOINTMENTS -> {
                contactAppointments(request, exchange);
                return;
            }
            default -> {
            }
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
            case CREATE_APPOINTMENT -> createAppointment(body, exchange);
            case EDIT_APPOINTMENT -> editAppointment(lastSegment(request), body, exchange);
            case DELETE_EVENT -> deleteEvent(lastSegment(request), exchange);
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

    private void freeSlots(ReceivedRequest request, Exchange exchange) throws IOException {
        Matcher path = FREE_SLOTS_PATH.matcher(request.uri().getRawPath());
        String calendarId = path.matches() ? path.group(1) : "";
        Map<String, String> query = query(request.uri().getRawQuery());
        long start;
        long end;
        try {
            start = Long.parseLong(query.getOrDefault("startDate", ""));
            end = Long.parseLong(query.getOrDefault("endDate", ""));
        } catch (NumberFormatException e) {
            exchange.sendJson(400, badRequest("startDate and endDate must be numbers (epoch milliseconds)"));
            return;
        }
        if (end < start || end - start > Duration.ofDays(31).toMillis()) {
            exchange.sendJson(400, badRequest("Date range cannot be more than 31 days"));
            return;
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(query.getOrDefault("timezone", "UTC"));
        } catch (java.time.DateTimeException e) {
            exchange.sendJson(400, badRequest("Invalid timezone"));
            return;
        }
        Set<Instant> open = openSlots.get(calendarId);
        if (open == null) {
            exchange.sendJson(400, badRequest("Calendar not found"));
            return;
        }
        Set<Instant> taken = taken(calendarId);
        ObjectNode answer = json.createObjectNode();
        open.stream()
                .filter(slot -> !slot.isBefore(Instant.ofEpochMilli(start)) && !slot.isAfter(Instant.ofEpochMilli(end)))
                .filter(slot -> !taken.contains(slot))
                .sorted()
                .map(slot -> slot.atZone(zone).toOffsetDateTime())
                .forEach(slot -> {
                    String day = slot.toLocalDate().toString();
                    ObjectNode entry = answer.has(day) ? (ObjectNode) answer.get(day) : answer.putObject(day);
                    (entry.has("slots") ? (ArrayNode) entry.get("slots") : entry.putArray("slots"))
                            .add(slot.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
                });
        answer.put("traceId", UUID.randomUUID().toString());
        exchange.sendJson(200, answer.toString());
    }

    private void createAppointment(JsonNode body, Exchange exchange) throws IOException {
        List<String> missing = new ArrayList<>();
        for (String field : List.of("calendarId", "locationId", "contactId", "startTime")) {
            if (!body.path(field).isTextual() || body.path(field).asText().isBlank()) {
                missing.add(field + " should not be empty");
            }
        }
        if (!missing.isEmpty()) {
            exchange.sendJson(400, badRequest(String.join(", ", missing)));
            return;
        }
        if (!locationId.equals(body.get("locationId").asText())) {
            exchange.sendJson(403, json.createObjectNode().put("statusCode", 403)
                    .put("message", "The token does not have access to this location.").toString());
            return;
        }
        OffsetDateTime start = offsetTime(body.get("startTime").asText());
        OffsetDateTime end = body.hasNonNull("endTime") ? offsetTime(body.get("endTime").asText()) : null;
        if (start == null || body.hasNonNull("endTime") && (end == null || !end.isAfter(start))) {
            exchange.sendJson(400, badRequest("startTime and endTime must be ISO 8601 times, end after start"));
            return;
        }
        String calendarId = body.get("calendarId").asText();
        if (!contacts.containsKey(body.get("contactId").asText())) {
            exchange.sendJson(400, badRequest("Contact not found"));
            return;
        }
        String status = body.path("appointmentStatus").asText("new");
        if (!APPOINTMENT_STATUSES.contains(status)) {
            exchange.sendJson(400, badRequest("appointmentStatus must be one of " + APPOINTMENT_STATUSES));
            return;
        }
        ObjectNode appointment;
        synchronized (this) {
            Set<Instant> open = openSlots.getOrDefault(calendarId, Set.of());
            boolean free = open.contains(start.toInstant()) && !taken(calendarId).contains(start.toInstant());
            if (!free && !body.path("ignoreFreeSlotValidation").asBoolean(false)) {
                appointment = null;
            } else {
                appointment = json.createObjectNode()
                        .put("id", newId())
                        .put("calendarId", calendarId)
                        .put("locationId", locationId)
                        .put("contactId", body.get("contactId").asText())
                        .put("startTime", body.get("startTime").asText())
                        .put("endTime", end == null ? start.plusMinutes(30).toString() : body.get("endTime").asText())
                        .put("title", body.path("title").asText(""))
                        .put("meetingLocationType", "custom")
                        .put("appointmentStatus", status)
                        .put("assignedUserId", "")
                        .put("address", "")
                        .put("isRecurring", false);
                appointments.put(appointment.get("id").asText(), appointment);
                appointment = appointment.deepCopy();
            }
        }
        if (appointment == null) {
            exchange.sendJson(400, badRequest("The slot you have selected is no longer available."));
            return;
        }
        exchange.sendJson(200, appointment.toString());
    }

    private void editAppointment(String eventId, JsonNode body, Exchange exchange) throws IOException {
        if (body.has("appointmentStatus") && !APPOINTMENT_STATUSES.contains(body.path("appointmentStatus").asText())) {
            exchange.sendJson(400, badRequest("appointmentStatus must be one of " + APPOINTMENT_STATUSES));
            return;
        }
        ObjectNode answer;
        synchronized (this) {
            ObjectNode appointment = appointments.get(eventId);
            if (appointment != null) {
                for (String field : List.of("startTime", "endTime", "title", "appointmentStatus")) {
                    if (body.path(field).isTextual()) {
                        appointment.put(field, body.get(field).asText());
                    }
                }
            }
            answer = appointment == null ? null : appointment.deepCopy();
        }
        if (answer == null) {
            exchange.sendJson(400, badRequest("Appointment not found"));
            return;
        }
        exchange.sendJson(200, answer.toString());
    }

    private void deleteEvent(String eventId, Exchange exchange) throws IOException {
        boolean removed;
        synchronized (this) {
            removed = appointments.remove(eventId) != null;
        }
        if (!removed) {
            exchange.sendJson(400, badRequest("Event not found"));
            return;
        }
        exchange.sendJson(201, json.createObjectNode().put("succeeded", true).toString());
    }

    private void contactAppointments(ReceivedRequest request, Exchange exchange) throws IOException {
        Matcher path = CONTACT_APPOINTMENTS_PATH.matcher(request.uri().getRawPath());
        String contactId = path.matches() ? path.group(1) : "";
        if (!contacts.containsKey(contactId)) {
            exchange.sendJson(400, badRequest("Contact not found"));
            return;
        }
        ObjectNode answer = json.createObjectNode();
        ArrayNode events = answer.putArray("events");
        synchronized (this) {
            for (ObjectNode appointment : appointments.values()) {
                if (!appointment.path("contactId").asText().equals(contactId)) {
                    continue;
                }
                ObjectNode event = appointment.deepCopy();
                event.put("status", appointment.path("appointmentStatus").asText());
                for (String field : List.of("startTime", "endTime")) {
                    OffsetDateTime time = offsetTime(appointment.path(field).asText(""));
                    if (time != null && !timesWithOffset) {
                        event.put(field, time.atZoneSameInstant(locationZone).format(SPACED));
                    }
                }
                events.add(event);
            }
        }
        exchange.sendJson(200, answer.toString());
    }

    /** Start times of the calendar's appointments that still hold their time (call with the lock held or not). */
    private Set<Instant> taken(String calendarId) {
        synchronized (this) {
            Set<Instant> taken = new java.util.HashSet<>();
            for (ObjectNode appointment : appointments.values()) {
                String status = appointment.path("appointmentStatus").asText();
                if (appointment.path("calendarId").asText().equals(calendarId)
                        && !status.equals("cancelled") && !status.equals("invalid")) {
                    OffsetDateTime start = offsetTime(appointment.path("startTime").asText());
                    if (start != null) {
                        taken.add(start.toInstant());
                    }
                }
            }
            return taken;
        }
    }

    private static OffsetDateTime offsetTime(String text) {
        try {
            return OffsetDateTime.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static String lastSegment(ReceivedRequest request) {
        String path = request.uri().getRawPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new java.util.HashMap<>();
        if (raw == null) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                query.putIfAbsent(java.net.URLDecoder.decode(pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8),
                                  java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return query;
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
