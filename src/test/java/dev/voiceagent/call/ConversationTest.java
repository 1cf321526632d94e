package dev.voiceagent.call;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.voiceagent.llm.ChatMessage;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

/** The conversation keeps a bounded, alternating history for the model. */
class ConversationTest {

    @Test
    void startsWithTheSystemPromptAndMergesSameSideMessages() {
        Conversation c = new Conversation("be nice", 10);
        c.agent("Hello.");
        c.caller("Hi.");
        c.caller("Anyone there?");
        assertThat(c.messages(), contains(ChatMessage.system("be nice"), ChatMessage.assistant("Hello."),
                                          ChatMessage.user("Hi. Anyone there?")));
    }

    @Test
    void newCallerWordsJoinATrailingCallerMessage() {
        List<ChatMessage> history = List.of(ChatMessage.system("s"), ChatMessage.user("first"));
        assertThat(Conversation.withCaller(history, "second"),
                   contains(ChatMessage.system("s"), ChatMessage.user("first second")));
    }

    @Test
    void keepsOnlyTheMostRecentTurns() {
        Conversation c = new Conversation("s", 2);
        c.caller("1");
        c.agent("2");
        c.caller("3");
        assertThat(c.messages().size(), is(3));
        assertThat(c.messages().get(1), is(ChatMessage.assistant("2")));
    }

    @Test
    void aToolExchangeIsKeptWholeAndNeverMergedWithWords() {
        Conversation c = new Conversation("s", 10);
        dev.voiceagent.llm.ToolCall call = new dev.voiceagent.llm.ToolCall("call_1", "order_status",
                new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("order", "7"));
        c.caller("Where is order 7?");
        c.tools(List.of(ChatMessage.toolCalls("", List.of(call)), ChatMessage.toolResult(call, "{\"status\":\"shipped\"}")));
        c.agent("It shipped.");
        List<ChatMessage> m = c.messages();
        assertThat(m.size(), is(5));
        assertThat(m.get(2).toolCalls().getFirst().name(), is("order_status"));
        assertThat(m.get(3).role(), is(ChatMessage.Role.TOOL));
        assertThat(m.get(4), is(ChatMessage.assistant("It shipped.")));
    }

    @Test
    void aToolResultNeverStartsTheHistoryWithoutItsRequest() {
        Conversation c = new Conversation("s", 3);
        dev.voiceagent.llm.ToolCall call = new dev.voiceagent.llm.ToolCall("call_1", "t",
                new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode());
        c.caller("a");
        c.tools(List.of(ChatMessage.toolCalls("", List.of(call)), ChatMessage.toolResult(call, "{}")));
        c.agent("b");
        c.caller("c");
        List<ChatMessage> m = c.messages();
        assertThat(m.get(1), is(ChatMessage.assistant("b")));
        assertThat(m.size(), is(3));
    }

    @Test
    void toolExchangesAreLeftOutOfARequestThatOffersNoTools() {
        dev.voiceagent.llm.ToolCall call = new dev.voiceagent.llm.ToolCall("call_1", "t",
                new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode());
        List<ChatMessage> m = List.of(ChatMessage.system("s"), ChatMessage.user("q"),
                                      ChatMessage.toolCalls("", List.of(call)), ChatMessage.toolResult(call, "{}"),
                                      ChatMessage.assistant("a"));
        assertThat(Conversation.withoutTools(m), contains(ChatMessage.system("s"), ChatMessage.user("q"),
                                                          ChatMessage.assistant("a")));
    }
}
