package dev.voiceagent.crm;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.voiceagent.vendor.RetryAfter;
import dev.voiceagent.vendor.VendorException;
import dev.voiceagent.vendor.VendorHttp;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;

/**
 * {@link ContactCrm} on the GoHighLevel (LeadConnector) API v2, contacts endpoints
 * (public OpenAPI {@code GoHighLevel/highlevel-api-docs}, {@code apps/contacts.json}).
 * <pre>
 * every request: Authorization: Bearer {token}   Version: 2021-07-28   Content-Type/Accept: application/json
 * POST /contacts/upsert              {"locationId":…,"phone":…,"name":…,"source":…}  200 {"new":…,"contact":{"id":…},"traceId":…}
 * POST /contacts/{contactId}/notes   {"body":…}                                      201 {"note":{"id":…,…}}
 * POST /contacts/{contactId}/tags    {"tags":[…]}                                    201 {"tags":[…]}
 * errors: 400 {"statusCode":400,"message":"…"}  401 {"statusCode":401,"message":"Invalid token: …","error":"Unauthorized"}
 *         422 {"statusCode":422,"message":["…"],"error":"Unprocessable Entity"}
 * </pre>
 * and {@link Calendars} on the calendars endpoints ({@code apps/calendars.json}; scopes {@code calendars.readonly},
 * {@code calendars/events.write}, and {@code contacts.readonly} for a contact's appointments):
 * <pre>
 * Version: 2021-04-15 on every /calendars request (the contacts API's 2021-07-28 is refused there)
 * GET  /calendars/{calendarId}/free-slots?startDate={ms}&amp;endDate={ms}&amp;timezone={IANA}
 *      200 {"2024-10-28":{"slots":["2024-10-28T10:00:00-05:00",…]},…}      (≤ 31 days; other keys ignored)
 * POST /calendars/events/appointments {"calendarId","locationId","contactId","startTime","endTime","title",
 *      "appointmentStatus":"confirmed"}                                      200/201 {"id":…,…}
 * PUT  /calendars/events/appointments/{eventId} {"appointmentStatus":"cancelled"}     200 {"id":…,…}
 * GET  /contacts/{contactId}/appointments  (Version 2021-07-28)  200 {"events":[{"id","calendarId","startTime",
 *      "endTime","appointmentStatus","title",…}]}   times "2021-07-16 11:00:00" (no offset) or ISO 8601 with one
 * </pre>
 * Cancelling sets {@code appointmentStatus: cancelled} rather than deleting, so the CRM keeps the history.
 * The upsert never carries {@code tags}: there they replace every tag the contact has, while the tags endpoint adds.
 * <p>
 * Rate limits (documented: 100 requests per 10 s and 200,000 per day, per app and location) come back on every answer
 * as {@code X-RateLimit-Max}, {@code X-RateLimit-Remaining}, {@code X-RateLimit-Interval-Milliseconds},
 * {@code X-RateLimit-Limit-Daily} and {@code X-RateLimit-Daily-Remaining}. The 429 itself is not in the spec, and
 * neither is a {@code Retry-After} (<b>unconfirmed</b>), so: a {@code Retry-After} is honoured when present; otherwise a
 * 429, or any answer saying {@code X-RateLimit-Remaining: 0}, means "wait one interval". That wait becomes the 429's
 * {@link VendorException#retryAfter()}, and this client also holds its own next request back for it (at most
 * {@link #MAX_PACING}), so a burst of finished calls waits for the window instead of collecting 429s.
 * <p>
 * One request per operation; retrying is the caller's decision (apart from {@link VendorHttp}'s pooled-connection
 * repair). The token never appears in logs or exception messages.
 */
public final class GoHighLevelClient implements ContactCrm, Calendars {

    /** The public API root. */
    public static final URI DEFAULT_API_BASE = URI.create("https://services.leadconnectorhq.com");
    /** The only {@code Version} the contacts endpoints accept. */
    public static final String API_VERSION = "2021-07-28";
    /** The only {@code Version} the calendars endpoints accept. */
    public static final String CALENDARS_API_VERSION = "2021-04-15";
    /** The longest this client waits on its own for a rate-limit window: the documented burst window. */
    public static final Duration MAX_PACING = Duration.ofSeconds(10);

    private static final Logger LOG = Logger.getLogger(GoHighLevelClient.class.getName());
    private static final HeaderName VERSION = HeaderNames.create("Version");
    private static final HeaderName REMAINING = HeaderNames.create("X-RateLimit-Remaining");
    private static final HeaderName INTERVAL = HeaderNames.create("X-RateLimit-Interval-Milliseconds");
    private static final HeaderName DAILY_REMAINING = HeaderNames.create("X-RateLimit-Daily-Remaining");
    /** Contact ids are 20 alphanumerics ({@code seD4PfOuKoVMLkEZqohJ}); anything else could leave the contact path. */
    private static final Pattern CONTACT_ID = Pattern.compile("[A-Za-z0-9]{1,64}");
    private static final Pattern DAY_KEY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    private final URI apiBase;
    private final String token;
    private final String locationId;
    private final VendorHttp http;
    private final RequestPacer pacer = new RequestPacer(MAX_PACING);
    private final Duration maxWait;

    /**
     * @param apiBase        normally {@link #DEFAULT_API_BASE}; a trailing slash is dropped
     * @param token          a Private Integration Token or sub-account access token with {@code contacts.write};
     *                       blank when not configured
     * @param locationId     the sub-account (location) the contacts belong to
     * @param requestTimeout limit for the connect and for each wait for data
     */
    public GoHighLevelClient(URI apiBase, String token, String locationId, Duration requestTimeout) {
        this(apiBase, token, locationId, requestTimeout, MAX_PACING);
    }

    /**
     * A client that waits at most {@code maxWait} for a rate-limit window before a request: a longer hold fails the
     * request at once as {@code RATE_LIMITED}, with the hold as its {@link VendorException#retryAfter()}. For use
     * during a call, where a caller is waiting.
     */
    public GoHighLevelClient(URI apiBase, String token, String locationId, Duration requestTimeout, Duration maxWait) {
        this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
        String base = Objects.requireNonNull(apiBase, "apiBase").toString();
        this.apiBase = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        this.token = token == null ? "" : token.strip();
        this.locationId = locationId == null ? "" : locationId.strip();
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.http = new VendorHttp("gohighlevel", requestTimeout, requestTimeout, this.token);
    }

    @Override
    public String upsertContact(Contact contact) {
        Objects.requireNonNull(contact, "contact");
        if (contact.phone() == null || contact.phone().isBlank()) {
            throw new IllegalArgumentException("a contact needs the phone number it is found by");
        }
        ObjectNode body = http.json().createObjectNode()
                .put("locationId", locationId)
                .put("phone", contact.phone().strip());
        contact.name().map(String::strip).filter(name -> !name.isEmpty()).ifPresent(name -> body.put("name", name));
        if (contact.source() != null && !contact.source().isBlank()) {
            body.put("source", contact.source().strip());
        }
        Answer answer = post("/contacts/upsert", body);
        JsonNode id = answer.body().path("contact").path("id");
        if (!id.isTextual() || id.asText().isBlank()) {
            throw http.badResponse(answer.status(), "upsert answer has no contact.id");
        }
        return id.asText();
    }

    @Override
    public String addNote(String contactId, String body) {
        Objects.requireNonNull(body, "body");
        Answer answer = post(contactPath(contactId, "notes"), http.json().createObjectNode().put("body", body));
        JsonNode id = answer.body().path("note").path("id");
        if (!id.isTextual() || id.asText().isBlank()) {
            throw http.badResponse(answer.status(), "note answer has no note.id");
        }
        return id.asText();
    }

    @Override
    public void addTags(String contactId, List<String> tags) {
        Set<String> distinct = new LinkedHashSet<>();
        for (String tag : tags) {
            if (tag != null && !tag.isBlank()) {
                distinct.add(tag.strip());
            }
        }
        String path = contactPath(contactId, "tags");
        if (distinct.isEmpty()) {
            return; // nothing to add; an empty list would only cost a request against the rate limit
        }
        ObjectNode body = http.json().createObjectNode();
        distinct.forEach(body.putArray("tags")::add);
        post(path, body);
    }

    /**
     * Sends one request after any hold the last answers asked for, and returns the 2xx answer. Any 2xx is taken,
     * although notes and tags are documented as 201: the id in the body is what proves the write.
     */
    private Answer post(String path, ObjectNode body) {
        return call(Method.POST, path, API_VERSION, body);
    }

    private enum Method { GET, POST, PUT }

    private Answer call(Method method, String path, String version, ObjectNode body) {
        if (token.isEmpty() || locationId.isEmpty()) {
            throw http.unconfigured("GoHighLevel token or location");
        }
        waitForRateLimitWindow();
        URI uri = URI.create(apiBase + path);
        Supplier<HttpClientRequest> request = () -> {
            HttpClientRequest started = switch (method) {
                case GET -> http.get(uri);
                case POST -> http.post(uri);
                case PUT -> http.put(uri);
            };
            started.header(HeaderNames.AUTHORIZATION, "Bearer " + token)
                    .header(VERSION, version)
                    .accept(MediaTypes.APPLICATION_JSON);
            if (body != null) {
                started.contentType(MediaTypes.APPLICATION_JSON);
            }
            return started;
        };
        try (HttpClientResponse response = http.send(request, body == null ? null : body.toString(),
                                                      this::readRateLimit)) {
            int status = response.status().code();
            String text = http.text(response);
            return new Answer(status, text.isBlank() ? http.json().createObjectNode() : http.parse(status, text));
        }
    }

    // ---- calendars

    @Override
    public List<OffsetDateTime> freeSlots(String calendarId, Instant from, Instant to, ZoneId zone) {
        Objects.requireNonNull(zone, "zone");
        if (!to.isAfter(from) || Duration.between(from, to).compareTo(Duration.ofDays(31)) > 0) {
            throw new IllegalArgumentException("a free-slots range must be positive and at most 31 days");
        }
        String path = "/calendars/" + id(calendarId, "calendar") + "/free-slots?startDate=" + from.toEpochMilli()
                      + "&endDate=" + to.toEpochMilli() + "&timezone="
                      + java.net.URLEncoder.encode(zone.getId(), java.nio.charset.StandardCharsets.UTF_8);
        Answer answer = call(Method.GET, path, CALENDARS_API_VERSION, null);
        if (!answer.body().isObject()) {
            throw http.badResponse(answer.status(), "free-slots answer is not an object");
        }
        List<OffsetDateTime> slots = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> days = answer.body().fields(); days.hasNext(); ) {
            Map.Entry<String, JsonNode> day = days.next();
            if (!DAY_KEY.matcher(day.getKey()).matches()) {
                continue; // e.g. a traceId
            }
            for (JsonNode slot : day.getValue().path("slots")) {
                OffsetDateTime time = time(slot.asText(""), zone);
                if (time == null) {
                    throw http.badResponse(answer.status(), "free slot is not a time: " + slot);
                }
                slots.add(time);
            }
        }
        slots.sort(null);
        return List.copyOf(slots);
    }

    @Override
    public Appointment book(NewAppointment appointment) {
        ObjectNode body = http.json().createObjectNode()
                .put("calendarId", id(appointment.calendarId(), "calendar"))
                .put("locationId", locationId)
                .put("contactId", id(appointment.contactId(), "contact"))
                .put("startTime", appointment.start().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .put("endTime", appointment.end().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .put("title", appointment.title())
                .put("appointmentStatus", "confirmed");
        Answer answer = call(Method.POST, "/calendars/events/appointments", CALENDARS_API_VERSION, body);
        JsonNode event = answer.body().has("id") ? answer.body() : answer.body().path("event");
        Appointment booked = appointment(event, appointment.start().getOffset().normalized());
        if (booked == null) {
            throw http.badResponse(answer.status(), "appointment answer has no id or startTime");
        }
        return booked;
    }

    @Override
    public List<Appointment> appointmentsOf(String contactId, ZoneId zone) {
        Answer answer = call(Method.GET, contactPath(contactId, "appointments"), API_VERSION, null);
        JsonNode events = answer.body().path("events");
        if (!events.isArray()) {
            throw http.badResponse(answer.status(), "contact appointments answer has no events list");
        }
        List<Appointment> appointments = new ArrayList<>();
        for (JsonNode event : events) {
            Appointment appointment = appointment(event, zone);
            if (appointment != null) {
                appointments.add(appointment);
            }
        }
        return List.copyOf(appointments);
    }

    @Override
    public void cancel(String appointmentId) {
        ObjectNode body = http.json().createObjectNode().put("appointmentStatus", "cancelled");
        call(Method.PUT, "/calendars/events/appointments/" + id(appointmentId, "appointment"), CALENDARS_API_VERSION,
             body);
    }

    /** An event as an {@link Appointment}, or null when it lacks an id or a readable start. */
    private static Appointment appointment(JsonNode event, ZoneId zone) {
        String id = event.path("id").asText("");
        OffsetDateTime start = time(event.path("startTime").asText(""), zone);
        if (id.isBlank() || start == null) {
            return null;
        }
        String status = event.path("appointmentStatus").asText("");
        if (status.isEmpty()) {
            status = event.path("status").asText("");
        }
        return new Appointment(id, event.path("calendarId").asText(""), event.path("contactId").asText(""), start,
                               Optional.ofNullable(time(event.path("endTime").asText(""), zone)), status,
                               event.path("title").asText(""));
    }

    /** ISO 8601 with an offset, or the contacts API's {@code 2021-07-16 11:00:00} (taken in {@code zone}); else null. */
    private static OffsetDateTime time(String text, ZoneId zone) {
        String value = text.strip();
        if (value.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(value.replace(' ', 'T')).atZone(zone).toOffsetDateTime();
            } catch (DateTimeParseException again) {
                return null;
            }
        }
    }

    private static String id(String id, String what) {
        if (id == null || !CONTACT_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not a GoHighLevel " + what + " id: " + id);
        }
        return id;
    }

    private record Answer(int status, JsonNode body) {
    }

    private void waitForRateLimitWindow() {
        Duration hold = pacer.remainingHold();
        if (hold.compareTo(maxWait) > 0) {
            throw new VendorException(http.vendor(), VendorException.Kind.RATE_LIMITED, 0,
                    "rate-limit window used up; not waiting " + hold.toMillis() + " ms", null, hold);
        }
        try {
            Duration waited = pacer.awaitTurn();
            if (!waited.isZero() && LOG.isLoggable(Level.FINE)) {
                LOG.fine("gohighlevel: waited " + waited.toMillis() + " ms for the rate-limit window");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VendorException(http.vendor(), VendorException.Kind.NETWORK, 0,
                    "interrupted while waiting for the rate-limit window", e);
        }
    }

    /**
     * What one answer says about the next request: {@code Retry-After} when present, else one interval when the
     * window is used up ({@code X-RateLimit-Remaining: 0}) or the answer is a 429 that does not say how many are left.
     */
    private Optional<Duration> readRateLimit(int status, Headers headers) {
        Optional<Duration> wait = RetryAfter.of(status, headers);
        if (wait.isEmpty()) {
            OptionalLong remaining = number(headers, REMAINING);
            OptionalLong interval = number(headers, INTERVAL);
            boolean windowUsedUp = remaining.isPresent() ? remaining.getAsLong() <= 0 : status == 429;
            if (windowUsedUp && interval.isPresent()) {
                wait = Optional.of(Duration.ofMillis(interval.getAsLong()));
            }
        }
        wait.ifPresent(pacer::holdFor);
        if (status == 429 && number(headers, DAILY_REMAINING).orElse(1) <= 0) {
            // The daily bucket resets at a time the API does not state; an interval's wait will not be enough.
            LOG.warning("gohighlevel: the daily request limit is used up");
        }
        return wait;
    }

    private static OptionalLong number(Headers headers, HeaderName name) {
        Optional<String> value = headers.first(name);
        if (value.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            long parsed = Long.parseLong(value.get().strip());
            return parsed < 0 ? OptionalLong.empty() : OptionalLong.of(parsed);
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static String contactPath(String contactId, String what) {
        if (contactId == null || !CONTACT_ID.matcher(contactId).matches()) {
            throw new IllegalArgumentException("not a GoHighLevel contact id: " + contactId);
        }
        return "/contacts/" + contactId + "/" + what;
    }

    @Override
    public String toString() {
        return "GoHighLevelClient[apiBase=" + apiBase + ", locationId=" + locationId
                + ", token=" + (token.isEmpty() ? "<none>" : "<redacted>") + "]";
    }
}
