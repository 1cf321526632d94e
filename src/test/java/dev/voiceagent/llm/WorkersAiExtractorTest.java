package dev.voiceagent.llm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeVendorServer.ReceivedRequest;
import dev.voiceagent.fakes.Fault;
import dev.voiceagent.persona.FactSpec;
import dev.voiceagent.vendor.CloudflareAccount;
import dev.voiceagent.vendor.VendorException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WorkersAiExtractorTest {

    private static final String TOKEN = "cf-token-secret";
    private static final String MODEL = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final List<FactSpec> FACTS = List.of(
            new FactSpec("name", "the caller's full name"),
            new FactSpec("party_size", "how many people the booking is for"),
            new FactSpec("preferred_time", "when they would like to come"));
    private static final String TRANSCRIPT = """
            Agent: Thanks for calling Luigi's, how can I help?
            Caller: Hi, this is Jane Doe, I'd like a table for four.
            Agent: Lovely. When would you like to come?
            Caller: I'm not sure yet, I'll call back.""";

    private FakeCloudflare cloudflare;
    private WorkersAiExtractor extractor;

    @BeforeEach
    void startFake() {
        cloudflare = new FakeCloudflare("acc123", TOKEN);
        extractor = new WorkersAiExtractor(cloudflare.account(), TIMEOUT);
    }

    @AfterEach
    void stopFake() {
        cloudflare.close();
    }

    @Test
    void sendsAnUnstreamedJsonModeRequestWithTheTranscript() {
        extractor.extract(MODEL, FACTS, TRANSCRIPT);

        ReceivedRequest request = cloudflare.requests(FakeCloudflare.LLM).getFirst();
        assertThat(request.uri().getRawPath(), is("/accounts/acc123/ai/run/@cf/meta/llama-3.3-70b-instruct-fp8-fast"));
        assertThat(request.header("Authorization"), is("Bearer " + TOKEN));
        assertThat(request.header("Content-Type"), containsString("application/json"));
        FakeCloudflare.JsonModeCall call = cloudflare.jsonModeCalls().getFirst();
        assertThat(call.model(), is(MODEL));
        assertThat(call.body().path("response_format").path("type").asText(), is("json_schema"));
        assertThat(call.body().path("stream").asBoolean(false), is(false));
        assertThat(call.body().path("temperature").asDouble(), lessThanOrEqualTo(0.2));
        assertThat(call.messages().size(), is(2));
        assertThat(call.messages().get(0).get("role"), is("system"));
        assertThat(call.messages().get(1), is(Map.of("role", "user", "content", TRANSCRIPT.strip())));
        assertThat(cloudflare.chatCalls(), is(empty()));
    }

    @Test
    void theSchemaAsksForASummaryAndEveryFactByItsDescriptionWithoutRequiringAny() {
        extractor.extract(MODEL, FACTS, TRANSCRIPT);

        JsonNode schema = cloudflare.jsonModeCalls().getFirst().schema();
        assertThat(schema.path("type").asText(), is("object"));
        assertThat(schema.path("properties").path("summary").path("type").asText(), is("string"));
        assertThat(strings(schema.path("required")).contains("summary"), is(true));
        JsonNode facts = schema.path("properties").path("facts");
        assertThat(facts.path("type").asText(), is("object"));
        List<String> keys = new ArrayList<>();
        facts.path("properties").fieldNames().forEachRemaining(keys::add);
        assertThat(keys, containsInAnyOrder("name", "party_size", "preferred_time"));
        for (FactSpec fact : FACTS) {
            JsonNode property = facts.path("properties").path(fact.key());
            assertThat(property.path("type").asText(), is("string"));
            assertThat(property.path("description").asText(), is(fact.description()));
        }
        assertThat(facts.has("required"), is(false));
    }

    @Test
    void anObjectAnswerBecomesTheExtraction() {
        cloudflare.queueJsonAnswer("{\"summary\":\" Jane Doe wants a table for four; she will call back with a time. \","
                + "\"facts\":{\"name\":\"Jane Doe\",\"party_size\":4}}");

        Extraction extraction = extractor.extract(MODEL, FACTS, TRANSCRIPT);

        assertThat(extraction.summary(), is("Jane Doe wants a table for four; she will call back with a time."));
        assertThat(extraction.facts(), is(Map.of("name", "Jane Doe", "party_size", "4")));
    }

    @Test
    void anAnswerGivenAsAJsonStringIsParsedToo() {
        cloudflare.queueJsonAnswers(
                TextNode.valueOf("{\"summary\":\"Jane booked.\",\"facts\":{\"name\":\"Jane Doe\"}}"),
                TextNode.valueOf("```json\n{\"summary\":\"Jane booked.\",\"facts\":{\"party_size\":\"4\"}}\n```"));

        Extraction plain = extractor.extract(MODEL, FACTS, TRANSCRIPT);
        Extraction fenced = extractor.extract(MODEL, FACTS, TRANSCRIPT);

        assertThat(plain, is(new Extraction("Jane booked.", Map.of("name", "Jane Doe"))));
        assertThat(fenced, is(new Extraction("Jane booked.", Map.of("party_size", "4"))));
    }

    @Test
    void valuesThatOnlySayUnknownAndKeysNotAskedForAreDropped() {
        cloudflare.queueJsonAnswer("{\"summary\":\"Jane called.\",\"facts\":{\"name\":\"Jane Doe\","
                + "\"party_size\":\"N/A\",\"preferred_time\":\"Not mentioned.\",\"email\":\"jane@example.test\"}}");
        cloudflare.queueJsonAnswer("{\"summary\":\"Someone called.\",\"facts\":{\"name\":null,"
                + "\"party_size\":\"  \",\"preferred_time\":\"(unknown)\"}}");
        cloudflare.queueJsonAnswer("{\"summary\":\"Someone called.\",\"facts\":{\"name\":\"Unknown\","
                + "\"party_size\":[\"4\"],\"preferred_time\":\"-\"}}");

        Extraction first = extractor.extract(MODEL, FACTS, TRANSCRIPT);
        Extraction second = extractor.extract(MODEL, FACTS, TRANSCRIPT);
        Extraction third = extractor.extract(MODEL, FACTS, TRANSCRIPT);

        assertThat(first.facts(), is(Map.of("name", "Jane Doe")));
        assertThat(second.facts(), is(Map.of()));
        assertThat(third.facts(), is(Map.of()));
    }

    @Test
    void factsPutBesideTheSummaryAreFound() {
        cloudflare.queueJsonAnswer("{\"summary\":\"Jane called.\",\"name\":\"Jane Doe\"}");

        Extraction extraction = extractor.extract(MODEL, FACTS, TRANSCRIPT);

        assertThat(extraction.facts(), is(Map.of("name", "Jane Doe")));
    }

    @Test
    void anAnswerWithoutASummaryIsABadResponse() {
        cloudflare.queueJsonAnswer("{\"facts\":{\"name\":\"Jane Doe\"}}");

        VendorException e = assertThrows(VendorException.class, () -> extractor.extract(MODEL, FACTS, TRANSCRIPT));

        assertThat(e.kind(), is(VendorException.Kind.BAD_RESPONSE));
    }

    @Test
    void aTextAnswerThatIsNotJsonIsABadResponse() {
        cloudflare.queueJsonAnswers(TextNode.valueOf("Jane Doe called about a table."));

        VendorException e = assertThrows(VendorException.class, () -> extractor.extract(MODEL, FACTS, TRANSCRIPT));

        assertThat(e.kind(), is(VendorException.Kind.BAD_RESPONSE));
    }

    @Test
    void jsonModeThatCouldNotBeMetIsABadResponse() {
        cloudflare.queueJsonModeFailure();

        VendorException e = assertThrows(VendorException.class, () -> extractor.extract(MODEL, FACTS, TRANSCRIPT));

        assertThat(e.kind(), is(VendorException.Kind.BAD_RESPONSE));
        assertThat(e.getMessage(), containsString("JSON Mode couldn't be met"));
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 500})
    void jsonModeFailureIsABadResponseWhateverTheStatus(int status) {
        cloudflare.failNext(FakeCloudflare.LLM, Fault.reply(status, "application/json",
                "{\"result\":{},\"success\":false,\"errors\":[{\"code\":3042,\"message\":\"JSON Mode couldn't be met\"}],"
                        + "\"messages\":[]}"));

        VendorException e = assertThrows(VendorException.class, () -> extractor.extract(MODEL, FACTS, TRANSCRIPT));

        assertThat(e.kind(), is(VendorException.Kind.BAD_RESPONSE));
        assertThat(e.kind().retryable(), is(false));
    }

    @Test
    void anUnsuccessfulEnvelopeIsABadResponse() {
        cloudflare.failNext(FakeCloudflare.LLM, Fault.reply(200, "application/json",
                "{\"result\":{\"response\":{\"summary\":\"x\"}},\"success\":false,"
                        + "\"errors\":[{\"code\":5004,\"message\":\"Invalid data\"}],\"messages\":[]}"));

        VendorException e = assertThrows(VendorException.class, () -> extractor.extract(MODEL, FACTS, TRANSCRIPT));

        assertThat(e.kind(), is(VendorException.Kind.BAD_RESPONSE));
        assertThat(e.getMessage(), containsString("Invalid data"));
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 503})
    void serverErrorsAreServerErrors(int status) {
        cloudflare.failNext(FakeCloudflare.LLM, Fault.status(status));

        VendorException e = assertThrows(VendorException.class, () -> extractor.extract(MODEL, FACTS, TRANSCRIPT));

        assertThat(e.kind(), is(VendorException.Kind.SERVER_ERROR));
        assertThat(e.vendor(), is("cloudflare"));
    }

    @Test
    void capacityErrorIsRateLimited() {
        cloudflare.failNext(FakeCloudflare.LLM, Fault.status(429));

        VendorException e = assertThrows(VendorException.class, () -> extractor.extract(MODEL, FACTS, TRANSCRIPT));

        assertThat(e.kind(), is(VendorException.Kind.RATE_LIMITED));
        assertThat(e.getMessage(), containsString("code 3040"));
    }

    @Test
    void aWrongTokenIsUnauthorizedAndHidden() {
        WorkersAiExtractor wrong = new WorkersAiExtractor(
                new CloudflareAccount(cloudflare.baseUri(), "acc123", "stolen-or-stale"), TIMEOUT);

        VendorException e = assertThrows(VendorException.class, () -> wrong.extract(MODEL, FACTS, TRANSCRIPT));

        assertThat(e.kind(), is(VendorException.Kind.UNAUTHORIZED));
        assertThat(e.getMessage(), not(containsString("stolen-or-stale")));
    }

    @Test
    void aSlowModelTimesOut() {
        cloudflare.failAlways(FakeCloudflare.LLM, Fault.delay(Duration.ofSeconds(2)));

        VendorException e = assertThrows(VendorException.class, () -> extractor.extract(MODEL, FACTS, TRANSCRIPT));

        assertThat(e.kind(), is(VendorException.Kind.TIMEOUT));
    }

    @Test
    void aBlankTranscriptAsksNothing() {
        Extraction extraction = extractor.extract(MODEL, FACTS, "  \n ");

        assertThat(extraction, is(new Extraction("", Map.of())));
        assertThat(cloudflare.requestCount(FakeCloudflare.LLM), is(0));
    }

    @Test
    void withoutATokenNothingIsSent() {
        WorkersAiExtractor unconfigured = new WorkersAiExtractor(
                new CloudflareAccount(cloudflare.baseUri(), "acc123", ""), TIMEOUT);

        VendorException e = assertThrows(VendorException.class, () -> unconfigured.extract(MODEL, FACTS, TRANSCRIPT));

        assertThat(e.kind(), is(VendorException.Kind.UNCONFIGURED));
        assertThat(cloudflare.requestCount(FakeCloudflare.LLM), is(0));
    }

    @Test
    void unknownLikePhrasesAreRecognisedButRealAnswersAreNot() {
        for (String unknown : List.of("unknown", "Unknown.", "N/A", "n.a.", "null", "-", "?", "", "Not provided",
                "not specified", "(not mentioned)")) {
            assertThat(unknown, WorkersAiExtractor.saysUnknown(unknown), is(true));
        }
        for (String real : List.of("Jane", "4", "no", "none", "Tuesday at 7pm", "unknown caller's cousin Bob")) {
            assertThat(real, WorkersAiExtractor.saysUnknown(real), is(false));
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
