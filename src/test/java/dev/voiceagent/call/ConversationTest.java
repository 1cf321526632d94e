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
}
