package dev.voiceagent.fakes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** The GoHighLevel fake follows {@code ghl-contacts.json}: status codes, bodies, auth and version checks. */
class FakeGoHighLevelTest {

    private static final String TOKEN = "pit-test-token";
    private static final String LOCATION = "ve9EPM428h8vShlRW1KT";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final FakeGoHighLevel ghl = new FakeGoHighLevel(TOKEN, LOCATION);

    @AfterEach
    void close() {
        ghl.close();
    }

    @Test
    void upsertCreatesThenFindsTheContactByPhone() throws Exception {
        HttpResponse<String> first = post("/contacts/upsert",
                "{\"locationId\":\"" + LOCATION + "\",\"phone\":\"+15557654321\",\"name\":\"Jane Doe\",\"source\":\"voice agent\"}");
        HttpResponse<String> second = post("/contacts/upsert",
                "{\"locationId\":\"" + LOCATION + "\",\"phone\":\"+15557654321\",\"tags\":[\"lead\"]}");

        assertThat(first.statusCode(), is(200));
        JsonNode created = json.readTree(first.body());
        assertThat(created.path("new").asBoolean(), is(true));
        String id = created.path("contact").path("id").asText();
        assertThat(id.matches("[A-Za-z0-9]{20}"), is(true));
        assertThat(created.path("contact").path("locationId").asText(), is(LOCATION));
        assertThat(created.path("contact").path("name").asText(), is("Jane Doe"));
        assertThat(created.path("traceId").asText(), not(""));
        JsonNode updated = json.readTree(second.body());
        assertThat(updated.path("new").asBoolean(), is(false));
        assertThat(updated.path("contact").path("id").asText(), is(id));
        assertThat(updated.path("contact").path("name").asText(), is("Jane Doe"));
        assertThat(updated.path("contact").path("tags").toString(), is("[\"lead\"]"));
        assertThat(ghl.contactCount(), is(1));
        assertThat(ghl.upserts().size(), is(2));
    }

    @Test
    void notesAndTagsAreCreatedWith201() throws Exception {
        String id = json.readTree(post("/contacts/upsert",
                "{\"locationId\":\"" + LOCATION + "\",\"email\":\"jane@example.test\",\"tags\":[\"a\"]}").body())
                .path("contact").path("id").asText();

        HttpResponse<String> note = post("/contacts/" + id + "/notes", "{\"body\":\"Wants Tuesday.\",\"title\":\"Call\"}");
        HttpResponse<String> tags = post("/contacts/" + id + "/tags", "{\"tags\":[\"voice-agent\",\"a\"]}");

        assertThat(note.statusCode(), is(201));
        JsonNode n = json.readTree(note.body()).path("note");
        assertThat(n.path("body").asText(), is("Wants Tuesday."));
        assertThat(n.path("contactId").asText(), is(id));
        assertThat(n.path("title").asText(), is("Call"));
        assertThat(n.path("id").asText(), not(""));
        assertThat(n.path("dateAdded").asText(), not(""));
        assertThat(tags.statusCode(), is(201));
        assertThat(json.readTree(tags.body()).path("tags").toString(), is("[\"a\",\"voice-agent\"]"));
        assertThat(ghl.notes().size(), is(1));
        assertThat(ghl.tagsAdded().getFirst().tags(), contains("voice-agent", "a"));
    }

    @Test
    void aWrongTokenGetsTheDocumented401() throws Exception {
        HttpResponse<String> response = send("/contacts/upsert", "{\"locationId\":\"" + LOCATION + "\"}",
                "Bearer wrong", FakeGoHighLevel.VERSION);

        assertThat(response.statusCode(), is(401));
        JsonNode body = json.readTree(response.body());
        assertThat(body.path("statusCode").asInt(), is(401));
        assertThat(body.path("message").asText(), is("Invalid token: access token is invalid"));
        assertThat(body.path("error").asText(), is("Unauthorized"));
        assertThat(ghl.upserts(), is(empty()));
    }

    @Test
    void aMissingVersionHeaderIsRefused() throws Exception {
        HttpResponse<String> response = send("/contacts/upsert", "{\"locationId\":\"" + LOCATION + "\"}",
                "Bearer " + TOKEN, null);

        assertThat(response.statusCode(), is(400));
        assertThat(json.readTree(response.body()).path("statusCode").asInt(), is(400));
    }

    @Test
    void invalidBodiesGetThe422ShapeWithAMessageList() throws Exception {
        HttpResponse<String> noLocation = post("/contacts/upsert", "{\"phone\":\"+15550000000\"}");
        HttpResponse<String> noNoteBody = post("/contacts/gh000000000000000001/notes", "{\"title\":\"x\"}");
        HttpResponse<String> badTags = post("/contacts/gh000000000000000001/tags", "{\"tags\":\"lead\"}");

        for (HttpResponse<String> response : java.util.List.of(noLocation, noNoteBody, badTags)) {
            assertThat(response.statusCode(), is(422));
            JsonNode body = json.readTree(response.body());
            assertThat(body.path("statusCode").asInt(), is(422));
            assertThat(body.path("message").isArray(), is(true));
            assertThat(body.path("error").asText(), is("Unprocessable Entity"));
        }
        assertThat(json.readTree(noLocation.body()).path("message").toString(), is("[\"locationId should not be empty\"]"));
    }

    @Test
    void unknownContactsAndPathsAreErrors() throws Exception {
        assertThat(post("/contacts/gh000000000000000099/notes", "{\"body\":\"x\"}").statusCode(), is(400));
        HttpResponse<String> unknown = post("/contacts/search", "{}");
        assertThat(unknown.statusCode(), is(404));
        assertThat(json.readTree(unknown.body()).path("message").asText(), is("Cannot POST /contacts/search"));
        assertThat(ghl.requestCount(FakeGoHighLevel.NOTES), is(1));
        assertThat(ghl.notes(), is(empty()));
    }

    @Test
    void anotherLocationIsForbidden() throws Exception {
        HttpResponse<String> response = post("/contacts/upsert", "{\"locationId\":\"otherLocation\"}");

        assertThat(response.statusCode(), is(403));
        assertThat(ghl.contactCount(), is(0));
    }

    @Test
    void withRecordingOffContactsStillWorkButNothingIsKept() throws Exception {
        ghl.recording(false);
        String id = json.readTree(post("/contacts/upsert", "{\"locationId\":\"" + LOCATION + "\",\"phone\":\"+1\"}").body())
                .path("contact").path("id").asText();

        assertThat(post("/contacts/" + id + "/tags", "{\"tags\":[\"x\"]}").statusCode(), is(201));
        assertThat(ghl.upserts(), is(empty()));
        assertThat(ghl.tagsAdded(), is(empty()));
        assertThat(ghl.requestCount(FakeGoHighLevel.UPSERT), is(1));
        assertThat(ghl.contact(id).orElseThrow().path("tags").toString(), is("[\"x\"]"));
        assertThat(ghl.requests(FakeGoHighLevel.TAGS), is(empty()));
    }

    @Test
    void everyAnswerCarriesTheRateLimitHeadersAndABurstBeyondTheWindowGets429() throws Exception {
        ghl.rateLimit(2, Duration.ofSeconds(5), 1000);
        String upsert = "{\"locationId\":\"" + LOCATION + "\",\"phone\":\"+1\"}";

        HttpResponse<String> first = post("/contacts/upsert", upsert);
        HttpResponse<String> second = send("/contacts/upsert", upsert, "Bearer wrong", FakeGoHighLevel.VERSION);
        HttpResponse<String> third = post("/contacts/upsert", upsert);

        assertThat(first.statusCode(), is(200));
        assertThat(first.headers().firstValue("X-RateLimit-Max").orElse(""), is("2"));
        assertThat(first.headers().firstValue("X-RateLimit-Remaining").orElse(""), is("1"));
        assertThat(first.headers().firstValue("X-RateLimit-Interval-Milliseconds").orElse(""), is("5000"));
        assertThat(first.headers().firstValue("X-RateLimit-Limit-Daily").orElse(""), is("1000"));
        assertThat(first.headers().firstValue("X-RateLimit-Daily-Remaining").orElse(""), is("999"));
        assertThat(second.statusCode(), is(401)); // refused requests count too
        assertThat(second.headers().firstValue("X-RateLimit-Remaining").orElse(""), is("0"));
        assertThat(third.statusCode(), is(429));
        assertThat(third.headers().firstValue("X-RateLimit-Remaining").orElse(""), is("0"));
        assertThat(third.headers().firstValue("Retry-After").isPresent(), is(false));
        assertThat(ghl.upserts().size(), is(1));
    }

    @Test
    void aFreshWindowAcceptsRequestsAgainAndScripted429sSayTheWindowIsUsedUp() throws Exception {
        ghl.rateLimit(1, Duration.ofMillis(400), 1000);
        ghl.retryAfter(Duration.ofMillis(1500));
        String upsert = "{\"locationId\":\"" + LOCATION + "\",\"phone\":\"+1\"}";
        assertThat(post("/contacts/upsert", upsert).statusCode(), is(200));
        HttpResponse<String> over = post("/contacts/upsert", upsert);
        Thread.sleep(450);
        ghl.failNext(FakeGoHighLevel.UPSERT, Fault.status(429));

        HttpResponse<String> scripted = post("/contacts/upsert", upsert);
        HttpResponse<String> later = post("/contacts/upsert", upsert);

        assertThat(over.statusCode(), is(429));
        assertThat(over.headers().firstValue("Retry-After").orElse(""), is("2"));
        assertThat(scripted.statusCode(), is(429));
        assertThat(scripted.headers().firstValue("X-RateLimit-Remaining").orElse(""), is("0"));
        assertThat(json.readTree(scripted.body()).path("statusCode").asInt(), is(429));
        assertThat(later.statusCode(), is(429)); // the scripted one used this window's only slot
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return send(path, body, "Bearer " + TOKEN, FakeGoHighLevel.VERSION);
    }

    private HttpResponse<String> send(String path, String body, String authorization, String version) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(ghl.baseUrl() + path))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (version != null) {
            request.header("Version", version);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
