package dev.voiceagent.crm;

import java.net.URI;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.voiceagent.fakes.FakeGoHighLevel;
import dev.voiceagent.fakes.FakeVendorServer.ReceivedRequest;
import dev.voiceagent.fakes.Fault;
import dev.voiceagent.vendor.VendorException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GoHighLevelClientTest {

    private static final String TOKEN = "pit-0123456789-secret";
    private static final String LOCATION = "ve9EPM428h8vShlRW1KT";
    private static final Duration TIMEOUT = Duration.ofMillis(500);
    /** A short rate-limit window, so that the client's own holds stay short too. */
    private static final Duration WINDOW = Duration.ofMillis(400);
    private static final Contact JANE = new Contact("+15557654321", Optional.of("Jane Doe"), "voice agent");

    private final ObjectMapper json = new ObjectMapper();
    private FakeGoHighLevel ghl;
    private GoHighLevelClient client;

    @BeforeEach
    void startFake() {
        ghl = new FakeGoHighLevel(TOKEN, LOCATION);
        ghl.rateLimit(100, WINDOW, 200_000);
        client = new GoHighLevelClient(ghl.baseUri(), TOKEN, LOCATION, TIMEOUT);
    }

    @AfterEach
    void stopFake() {
        ghl.close();
    }

    // ---- request shape and answers

    @Test
    void upsertSendsTheDocumentedHeadersAndBodyAndReturnsTheContactId() throws Exception {
        String id = client.upsertContact(JANE);

        assertThat(id, is(ghl.upserts().getFirst().contactId()));
        ReceivedRequest request = ghl.requests(FakeGoHighLevel.UPSERT).getFirst();
        assertThat(request.method(), is("POST"));
        assertThat(request.uri().getRawPath(), is("/contacts/upsert"));
        assertThat(request.header("Authorization"), is("Bearer " + TOKEN));
        assertThat(request.header("Version"), is("2021-07-28"));
        assertThat(request.header("Content-Type"), containsString("application/json"));
        assertThat(request.header("Accept"), is("application/json"));
        JsonNode body = json.readTree(request.body());
        assertThat(body, is(json.readTree("{\"locationId\":\"" + LOCATION + "\",\"phone\":\"+15557654321\","
                + "\"name\":\"Jane Doe\",\"source\":\"voice agent\"}")));
    }

    @Test
    void upsertNeverSendsTagsSoTheContactKeepsTheTagsItHas() throws Exception {
        String id = client.upsertContact(JANE);
        client.addTags(id, List.of("vip"));

        String again = client.upsertContact(new Contact("+15557654321", Optional.empty(), "voice agent"));

        assertThat(again, is(id));
        for (ReceivedRequest upsert : ghl.requests(FakeGoHighLevel.UPSERT)) {
            assertThat(json.readTree(upsert.body()).has("tags"), is(false));
        }
        assertThat(json.readTree(ghl.requests(FakeGoHighLevel.UPSERT).get(1).body()).has("name"), is(false));
        assertThat(ghl.contact(id).orElseThrow().path("tags").toString(), is("[\"vip\"]"));
        assertThat(ghl.contact(id).orElseThrow().path("name").asText(), is("Jane Doe"));
    }

    @Test
    void noteIsPostedAsItsBodyAndItsIdReturned() throws Exception {
        String contactId = client.upsertContact(JANE);

        String noteId = client.addNote(contactId, "Wants a table for four on Tuesday.");

        FakeGoHighLevel.Note note = ghl.notes().getFirst();
        assertThat(noteId, is(note.note().path("id").asText()));
        assertThat(note.contactId(), is(contactId));
        ReceivedRequest request = ghl.requests(FakeGoHighLevel.NOTES).getFirst();
        assertThat(request.uri().getRawPath(), is("/contacts/" + contactId + "/notes"));
        assertThat(request.header("Version"), is("2021-07-28"));
        assertThat(json.readTree(request.body()), is(json.readTree("{\"body\":\"Wants a table for four on Tuesday.\"}")));
    }

    @Test
    void tagsAreAddedWithoutDuplicatesOrBlanksAndWithoutRemovingOthers() throws Exception {
        String contactId = client.upsertContact(JANE);
        client.addTags(contactId, List.of("lead"));

        client.addTags(contactId, List.of("voice-agent", " lead ", "", "voice-agent"));

        ReceivedRequest request = ghl.requests(FakeGoHighLevel.TAGS).get(1);
        assertThat(request.uri().getRawPath(), is("/contacts/" + contactId + "/tags"));
        assertThat(json.readTree(request.body()), is(json.readTree("{\"tags\":[\"voice-agent\",\"lead\"]}")));
        List<String> tags = new ArrayList<>();
        ghl.contact(contactId).orElseThrow().path("tags").forEach(t -> tags.add(t.asText()));
        assertThat(tags, containsInAnyOrder("lead", "voice-agent"));
    }

    @Test
    void noTagsMeansNoRequest() {
        client.addTags("gh000000000000000001", List.of(" ", ""));

        assertThat(ghl.requestCount(FakeGoHighLevel.TAGS), is(0));
    }

    @Test
    void aContactIdThatCouldLeaveThePathIsRefusedBeforeAnyRequest() {
        assertThrows(IllegalArgumentException.class, () -> client.addNote("../upsert", "x"));
        assertThrows(IllegalArgumentException.class, () -> client.addTags("a/b", List.of("x")));

        assertThat(ghl.requestCount(FakeGoHighLevel.NOTES) + ghl.requestCount(FakeGoHighLevel.TAGS), is(0));
    }

    @Test
    void anUpsertAnswerWithoutAContactIdIsABadResponse() {
        ghl.failNext(FakeGoHighLevel.UPSERT, Fault.reply(200, "application/json", "{\"new\":true,\"traceId\":\"t\"}"));

        VendorException e = assertThrows(VendorException.class, () -> client.upsertContact(JANE));

        assertThat(e.kind(), is(VendorException.Kind.BAD_RESPONSE));
        assertThat(e.vendor(), is("gohighlevel"));
    }

    // ---- errors

    @Test
    void aWrongTokenIsUnauthorizedAndNeitherTokenIsInTheMessage() {
        GoHighLevelClient stale = new GoHighLevelClient(ghl.baseUri(), "stale-token-987", LOCATION, TIMEOUT);

        VendorException e = assertThrows(VendorException.class, () -> stale.upsertContact(JANE));

        assertThat(e.kind(), is(VendorException.Kind.UNAUTHORIZED));
        assertThat(e.status(), is(401));
        assertThat(e.getMessage(), containsString("Invalid token: access token is invalid"));
        assertThat(e.getMessage(), not(containsString("stale-token-987")));
        assertThat(e.retryAfter().isPresent(), is(false));
    }

    @Test
    void unprocessableIsABadResponseWithTheMessagesOfTheDto() {
        ghl.failNext(FakeGoHighLevel.UPSERT, Fault.reply(422, "application/json",
                "{\"statusCode\":422,\"message\":[\"phone must be a valid phone number\",\"name must be a string\"],"
                        + "\"error\":\"Unprocessable Entity\"}"));

        VendorException e = assertThrows(VendorException.class, () -> client.upsertContact(JANE));

        assertThat(e.kind(), is(VendorException.Kind.BAD_RESPONSE));
        assertThat(e.status(), is(422));
        assertThat(e.getMessage(), containsString("phone must be a valid phone number; name must be a string"));
        assertThat(e.kind().retryable(), is(false));
    }

    @Test
    void badRequestIsABadResponseWithTheMessageOfTheDto() {
        VendorException e = assertThrows(VendorException.class,
                () -> client.addNote("gh000000000000000099", "for nobody"));

        assertThat(e.kind(), is(VendorException.Kind.BAD_RESPONSE));
        assertThat(e.status(), is(400));
        assertThat(e.getMessage(), containsString("Contact not found"));
    }

    @Test
    void serverErrorIsAServerErrorWithoutARetryAfter() {
        ghl.failNext(FakeGoHighLevel.UPSERT, Fault.status(503));

        VendorException e = assertThrows(VendorException.class, () -> client.upsertContact(JANE));

        assertThat(e.kind(), is(VendorException.Kind.SERVER_ERROR));
        assertThat(e.status(), is(503));
        assertThat(e.retryAfter().isPresent(), is(false));
    }

    @Test
    void slowAnswerTimesOut() {
        ghl.latency(Duration.ofSeconds(2));

        long start = System.nanoTime();
        VendorException e = assertThrows(VendorException.class, () -> client.upsertContact(JANE));

        assertThat(e.kind(), is(VendorException.Kind.TIMEOUT));
        assertThat(Duration.ofNanos(System.nanoTime() - start).toMillis(), lessThan(1500L));
    }

    @Test
    void unreachableApiIsANetworkFailure() {
        URI closed = ghl.baseUri();
        ghl.close();
        GoHighLevelClient unreachable = new GoHighLevelClient(closed, TOKEN, LOCATION, TIMEOUT);

        VendorException e = assertThrows(VendorException.class, () -> unreachable.upsertContact(JANE));

        assertThat(e.kind(), is(VendorException.Kind.NETWORK));
        assertThat(e.getMessage(), not(containsString(TOKEN)));
    }

    @Test
    void withoutATokenNothingIsSent() {
        GoHighLevelClient unconfigured = new GoHighLevelClient(ghl.baseUri(), " ", LOCATION, TIMEOUT);

        VendorException e = assertThrows(VendorException.class, () -> unconfigured.upsertContact(JANE));

        assertThat(e.kind(), is(VendorException.Kind.UNCONFIGURED));
        assertThat(ghl.requestCount(FakeGoHighLevel.UPSERT), is(0));
    }

    @Test
    void toStringHidesTheToken() {
        assertThat(client.toString(), not(containsString(TOKEN)));
    }

    // ---- rate limits

    @Test
    void a429SaysToWaitTheIntervalOfItsRateLimitHeaders() {
        ghl.failNext(FakeGoHighLevel.UPSERT, Fault.status(429)); // the fake says X-RateLimit-Remaining: 0 with it

        VendorException e = assertThrows(VendorException.class, () -> client.upsertContact(JANE));

        assertThat(e.kind(), is(VendorException.Kind.RATE_LIMITED));
        assertThat(e.status(), is(429));
        assertThat(e.retryAfter(), is(Optional.of(WINDOW)));
        assertThat(e.kind().retryable(), is(true));
    }

    @Test
    void aRetryAfterInSecondsWinsOverTheRateLimitHeaders() {
        ghl.retryAfter(Duration.ofSeconds(7));
        ghl.failNext(FakeGoHighLevel.UPSERT, Fault.status(429));

        VendorException e = assertThrows(VendorException.class, () -> client.upsertContact(JANE));

        assertThat(e.retryAfter(), is(Optional.of(Duration.ofSeconds(7))));
    }

    @Test
    void aRetryAfterHttpDateIsTheTimeLeftUntilThen() {
        String inThreeSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(3));
        ghl.failNext(FakeGoHighLevel.UPSERT, Fault.reply(429, "application/json",
                "{\"statusCode\":429,\"message\":\"Too Many Requests\"}", Map.of("Retry-After", inThreeSeconds)));

        VendorException e = assertThrows(VendorException.class, () -> client.upsertContact(JANE));

        long millis = e.retryAfter().orElseThrow().toMillis();
        assertThat(millis, greaterThanOrEqualTo(1500L)); // the date has whole seconds, so between 2 and 3 s are left
        assertThat(millis, lessThanOrEqualTo(3000L));
    }

    @Test
    void aUsedUpWindowHoldsTheNextRequestBackSoItDoesNotCollectA429() {
        ghl.rateLimit(2, WINDOW, 200_000);
        client.upsertContact(JANE);
        client.upsertContact(JANE); // answered with X-RateLimit-Remaining: 0

        long start = System.nanoTime();
        client.upsertContact(JANE);

        assertThat(Duration.ofNanos(System.nanoTime() - start).toMillis(), greaterThanOrEqualTo(WINDOW.toMillis() - 50));
        assertThat(ghl.upserts().size(), is(3)); // every request was accepted: none met a 429
    }

    @Test
    void withoutTheClientsHoldTheSameBurstMeetsA429() {
        ghl.rateLimit(2, Duration.ofSeconds(5), 200_000);
        client.upsertContact(JANE);
        client.upsertContact(JANE);
        GoHighLevelClient fresh = new GoHighLevelClient(ghl.baseUri(), TOKEN, LOCATION, TIMEOUT); // knows no headers

        VendorException e = assertThrows(VendorException.class, () -> fresh.upsertContact(JANE));

        assertThat(e.kind(), is(VendorException.Kind.RATE_LIMITED));
        assertThat(e.retryAfter(), is(Optional.of(Duration.ofSeconds(5))));
    }

    @Test
    void aRunOfFailuresMapsEachAnswerAndTheClientWorksAfterwards() {
        ghl.failNext(FakeGoHighLevel.UPSERT, Fault.status(429));
        ghl.failNext(FakeGoHighLevel.UPSERT, Fault.status(429));
        ghl.failNext(FakeGoHighLevel.UPSERT, Fault.status(503));
        ghl.failNext(FakeGoHighLevel.UPSERT, Fault.status(503));
        List<VendorException.Kind> kinds = new ArrayList<>();

        for (int attempt = 0; attempt < 4; attempt++) {
            kinds.add(assertThrows(VendorException.class, () -> client.upsertContact(JANE)).kind());
        }
        String id = client.upsertContact(JANE);

        assertThat(kinds, contains(VendorException.Kind.RATE_LIMITED, VendorException.Kind.RATE_LIMITED,
                VendorException.Kind.SERVER_ERROR, VendorException.Kind.SERVER_ERROR));
        assertThat(id, is(ghl.upserts().getFirst().contactId()));
        assertThat(ghl.requestCount(FakeGoHighLevel.UPSERT), is(5));
    }
}
