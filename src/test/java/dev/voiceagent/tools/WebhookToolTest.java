package dev.voiceagent.tools;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.voiceagent.fakes.FakeToolServer;
import dev.voiceagent.fakes.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * A webhook tool against an operator's endpoint that checks the documented signature: the signed request carries
 * the call and the model's arguments, and every way the endpoint can fail becomes a {@link ToolOutcome.Failed}.
 */
class WebhookToolTest {

    private static final String SECRET = "tool-signing-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ToolContext CONTEXT = new ToolContext("CA123", Optional.of("+15551230000"),
                                                               Optional.of("+15550100001"), "receptionist",
                                                               ZoneId.of("America/New_York"));

    private final FakeToolServer server = new FakeToolServer(SECRET, "order_status");

    @AfterEach
    void stop() {
        server.close();
    }

    private WebhookTool tool(String secret, Duration timeout) {
        return new WebhookTool(new ToolSpec("order_status", "Looks up an order", JSON.createObjectNode().put("type", "object")),
                               URI.create(server.url("order_status")), "POST", timeout, Map.of("X-Api-Key", "key-123"),
                               secret, Clock.systemUTC());
    }

    @Test
    void aSignedRequestCarriesTheCallAndArgumentsAndTheJsonAnswerIsTheResult() throws Exception {
        server.answer("order_status", args -> "{\"order\":\"" + args.path("order").asText() + "\",\"status\":\"shipped\"}");

        ToolOutcome outcome = tool(SECRET, Duration.ofSeconds(10)).run(json("{\"order\":\"A-1042\"}"), CONTEXT);

        assertThat(outcome, is(new ToolOutcome.Result(json("{\"order\":\"A-1042\",\"status\":\"shipped\"}"))));
        assertThat(server.refusals(), empty());
        JsonNode body = server.calls().getFirst().body();
        assertThat(body, is(json("{\"callSid\":\"CA123\",\"caller\":\"+15551230000\",\"persona\":\"receptionist\","
                                 + "\"tool\":\"order_status\",\"arguments\":{\"order\":\"A-1042\"}}")));
        assertThat(server.calls().getFirst().headers().get("X-Api-Key"), contains("key-123"));
    }

    @Test
    void aWrongKeyIsRefusedByTheReceiverAndFails() throws Exception {
        ToolOutcome outcome = tool("another-secret", Duration.ofSeconds(10)).run(json("{}"), CONTEXT);

        assertThat(server.refusals(), contains("bad signature"));
        assertThat(outcome, is(new ToolOutcome.Failed(ToolFailure.VENDOR_ERROR, "the service answered HTTP 401")));
    }

    @Test
    void eachRequestIsSignedAfreshSoTheReceiverCanRefuseReplays() throws Exception {
        WebhookTool tool = tool(SECRET, Duration.ofSeconds(10));
        tool.run(json("{\"order\":\"1\"}"), CONTEXT);
        tool.run(json("{\"order\":\"2\"}"), CONTEXT);
        assertThat(server.calls().size(), is(2));
        assertThat(server.refusals(), empty());
    }

    @Test
    void aServerErrorFails() throws Exception {
        server.failNext("order_status", Fault.status(503));
        assertThat(tool(SECRET, Duration.ofSeconds(10)).run(json("{}"), CONTEXT),
                   is(new ToolOutcome.Failed(ToolFailure.VENDOR_ERROR, "the service answered HTTP 503")));
    }

    @Test
    void aSlowServiceTimesOutWithinItsTimeout() throws Exception {
        WebhookTool tool = tool(SECRET, Duration.ofMillis(300));
        server.latency("order_status", Duration.ofSeconds(5));
        long start = System.nanoTime();
        ToolOutcome outcome = tool.run(json("{}"), CONTEXT);
        assertThat(outcome, instanceOf(ToolOutcome.Failed.class));
        assertThat(((ToolOutcome.Failed) outcome).reason(), is(ToolFailure.TIMED_OUT));
        assertThat(Duration.ofNanos(System.nanoTime() - start).toMillis(), lessThan(2000L));
    }

    @Test
    void anAnswerThatIsNotJsonFails() throws Exception {
        server.answer("order_status", args -> "<html>oops</html>");
        assertThat(tool(SECRET, Duration.ofSeconds(10)).run(json("{}"), CONTEXT),
                   is(new ToolOutcome.Failed(ToolFailure.VENDOR_ERROR, "the service's answer was not JSON")));
    }

    @Test
    void anAnswerTooLargeForTheModelFails() throws Exception {
        server.answer("order_status", args -> "{\"blob\":\"" + "x".repeat(20_000) + "\"}");
        ToolOutcome outcome = tool(SECRET, Duration.ofSeconds(10)).run(json("{}"), CONTEXT);
        assertThat(((ToolOutcome.Failed) outcome).message(), is("the service's answer was longer than 16384 bytes"));
    }

    @Test
    void anUnreachableServiceFails() throws Exception {
        WebhookTool tool = new WebhookTool(new ToolSpec("order_status", "x", JSON.createObjectNode().put("type", "object")),
                                           URI.create("http://127.0.0.1:1/tools/x"), "POST", Duration.ofSeconds(10),
                                           Map.of(), "", Clock.systemUTC());
        assertThat(tool.run(json("{}"), CONTEXT),
                   is(new ToolOutcome.Failed(ToolFailure.VENDOR_ERROR, "the service could not be reached")));
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }
}
