package dev.voiceagent.llm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeCloudflare.ScriptedToolCall;
import dev.voiceagent.fakes.FakeCloudflare.ToolCallForm;
import dev.voiceagent.tools.ToolSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;

/**
 * Function calling with Workers AI: tools offered in each model family's form, tool calls understood in every form
 * the models send them (legacy and OpenAI-shaped, streamed and not, written out as text), and tool results sent back
 * so the model answers from them. No tool call's text is ever handed on to be spoken.
 */
class WorkersAiChatToolsTest {

    private static final String LLAMA = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
    private static final String GLM = "@cf/zai-org/glm-4.7-flash";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ToolSpec ORDER = new ToolSpec("order_status", "Looks up an order by its number",
            json("{\"type\":\"object\",\"properties\":{\"order\":{\"type\":\"string\"}},\"required\":[\"order\"]}"));

    private FakeCloudflare cloudflare;
    private WorkersAiChat chat;

    @BeforeEach
    void startFake() {
        cloudflare = new FakeCloudflare("acc123", "cf-token");
        chat = new WorkersAiChat(cloudflare.account(), Duration.ofSeconds(2));
    }

    @AfterEach
    void stopFake() {
        cloudflare.close();
    }

    @ParameterizedTest(name = "{0} {1}, whole answer: {2}")
    @CsvSource({
            LLAMA + ", LEGACY, false",
            LLAMA + ", LEGACY, true",
            GLM + ", OPENAI, false",
            GLM + ", OPENAI, true",
            LLAMA + ", TEXT, false",
            LLAMA + ", TEXT, true"})
    void aToolCallInAnyFormComesBackAsToolCallsWithNothingSpoken(String model, ToolCallForm form, boolean whole) {
        cloudflare.answerWhole(whole);
        cloudflare.queueToolCalls(form, new ScriptedToolCall("order_status", "{\"order\": \"A-1042\"}"));
        List<String> spoken = new CopyOnWriteArrayList<>();

        ChatResult result = chat.stream(request(model, List.of(ChatMessage.user("Where is order A-1042?"))), spoken::add);

        assertThat(result, instanceOf(ChatResult.ToolCalls.class));
        ToolCall call = ((ChatResult.ToolCalls) result).calls().getFirst();
        assertThat(call.name(), is("order_status"));
        assertThat(call.arguments(), is(json("{\"order\":\"A-1042\"}")));
        assertThat(call.id().isEmpty(), is(false));
        assertThat(spoken, empty());
    }

    @Test
    void twoStreamedCallsAreJoinedPerIndex() {
        cloudflare.queueToolCalls(ToolCallForm.OPENAI, new ScriptedToolCall("order_status", "{\"order\":\"1\"}"),
                                  new ScriptedToolCall("order_status", "{\"order\":\"2\"}"));

        ChatResult result = chat.stream(request(GLM, List.of(ChatMessage.user("Both orders?"))), d -> true);

        List<ToolCall> calls = ((ChatResult.ToolCalls) result).calls();
        assertThat(calls.stream().map(c -> c.arguments().path("order").asText()).toList(), is(List.of("1", "2")));
        assertThat(calls.get(0).id().equals(calls.get(1).id()), is(false));
    }

    @Test
    void toolsAreOfferedInTheLegacyFormWithEveryPropertyDescribed() {
        chat.stream(request(LLAMA, List.of(ChatMessage.user("Hi"))), d -> true);

        JsonNode tool = cloudflare.chatCalls().getFirst().body().path("tools").get(0);
        assertThat(tool.path("name").asText(), is("order_status"));
        assertThat(tool.path("description").asText(), is("Looks up an order by its number"));
        assertThat(tool.path("parameters").path("properties").path("order").path("description").asText(), is("order"));
        assertThat(tool.has("type"), is(false));
    }

    @Test
    void toolsAreOfferedInTheOpenAiFormToNewerModels() {
        chat.stream(request(GLM, List.of(ChatMessage.user("Hi"))), d -> true);

        JsonNode tool = cloudflare.chatCalls().getFirst().body().path("tools").get(0);
        assertThat(tool.path("type").asText(), is("function"));
        assertThat(tool.path("function").path("name").asText(), is("order_status"));
        assertThat(tool.path("function").path("parameters"), is(ORDER.parameters()));
    }

    @Test
    void theResultGoesBackInTheDocumentedLegacyFormAndTheModelAnswersFromIt() {
        ToolCall call = new ToolCall("call_1", "order_status", json("{\"order\":\"A-1042\"}"));
        cloudflare.queueReplies("Your order shipped yesterday.");
        List<String> spoken = new CopyOnWriteArrayList<>();

        ChatResult result = chat.stream(request(LLAMA, conversationWith(call)), spoken::add);

        assertThat(result, instanceOf(ChatResult.Answered.class));
        assertThat(String.join("", spoken), is("Your order shipped yesterday."));
        JsonNode messages = cloudflare.chatCalls().getFirst().body().path("messages");
        assertThat(messages.get(2).path("role").asText(), is("assistant"));
        assertThat(json(messages.get(2).path("content").asText()),
                   is(json("{\"name\":\"order_status\",\"arguments\":{\"order\":\"A-1042\"}}")));
        assertThat(messages.get(3).path("role").asText(), is("tool"));
        assertThat(messages.get(3).path("content").asText(), is("{\"status\":\"shipped\"}"));
    }

    @Test
    void theResultGoesBackInTheOpenAiFormWithTheModelsOwnId() {
        ToolCall call = new ToolCall("chatcmpl-tool-7", "order_status", json("{\"order\":\"A-1042\"}"));

        chat.stream(request(GLM, conversationWith(call)), d -> true);

        JsonNode messages = cloudflare.chatCalls().getFirst().body().path("messages");
        JsonNode asked = messages.get(2).path("tool_calls").get(0);
        assertThat(asked.path("id").asText(), is("chatcmpl-tool-7"));
        assertThat(json(asked.path("function").path("arguments").asText()), is(json("{\"order\":\"A-1042\"}")));
        assertThat(messages.get(3).path("tool_call_id").asText(), is("chatcmpl-tool-7"));
        assertThat(messages.get(3).path("name").asText(), is("order_status"));
    }

    @Test
    void wordsThatMerelyStartWithABraceAreStillSpoken() {
        cloudflare.queueReplies("{laughs} Sure, one moment.");
        List<String> spoken = new CopyOnWriteArrayList<>();

        ChatResult result = chat.stream(request(LLAMA, List.of(ChatMessage.user("Hi"))), spoken::add);

        assertThat(result, instanceOf(ChatResult.Answered.class));
        assertThat(String.join("", spoken), is("{laughs} Sure, one moment."));
    }

    @Test
    void aWrittenOutCallOfAToolNotOfferedIsNotTakenForOne() {
        cloudflare.queueReplies("{\"name\":\"delete_everything\",\"arguments\":{}}");
        List<String> spoken = new CopyOnWriteArrayList<>();

        ChatResult result = chat.stream(request(LLAMA, List.of(ChatMessage.user("Hi"))), spoken::add);

        assertThat(result, instanceOf(ChatResult.Answered.class));
        assertThat(spoken.isEmpty(), is(false));
    }

    @Test
    void withoutToolsTextIsPassedOnAtOnceEvenIfItLooksLikeJson() {
        cloudflare.queueReplies("{\"name\": \"order_status\", \"arguments\": {}}");
        List<String> spoken = new CopyOnWriteArrayList<>();

        ChatResult result = chat.stream(new ChatRequest(LLAMA, List.of(ChatMessage.user("Hi")), 100, 0.5), spoken::add);

        assertThat(result, instanceOf(ChatResult.Answered.class));
        assertThat(cloudflare.chatCalls().getFirst().body().has("tools"), is(false));
        assertThat(spoken.size() > 1, is(true));
    }

    @Test
    void malformedArgumentsAreReportedNotGuessed() {
        cloudflare.queueToolCalls(ToolCallForm.OPENAI, new ScriptedToolCall("order_status", "{\"order\": "));

        ChatResult result = chat.stream(request(GLM, List.of(ChatMessage.user("Hi"))), d -> true);

        assertThat(((ChatResult.ToolCalls) result).calls().getFirst().argumentsValid(), is(false));
    }

    private static List<ChatMessage> conversationWith(ToolCall call) {
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(ChatMessage.system("You help with orders."));
        messages.add(ChatMessage.user("Where is order A-1042?"));
        messages.add(ChatMessage.toolCalls("", List.of(call)));
        messages.add(ChatMessage.toolResult(call, "{\"status\":\"shipped\"}"));
        return messages;
    }

    private static ChatRequest request(String model, List<ChatMessage> messages) {
        return new ChatRequest(model, messages, 200, 0.5, List.of(ORDER));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
