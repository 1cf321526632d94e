package dev.voiceagent.call;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.voiceagent.llm.ChatMessage;
import dev.voiceagent.llm.ToolCall;
import dev.voiceagent.persona.Stt;
import dev.voiceagent.store.ToolCallRecord;
import dev.voiceagent.tools.BuiltinTool;
import dev.voiceagent.tools.BuiltinTools;
import dev.voiceagent.tools.Tool;
import dev.voiceagent.tools.ToolContext;
import dev.voiceagent.tools.ToolFailure;
import dev.voiceagent.tools.ToolKit;
import dev.voiceagent.tools.ToolOutcome;
import dev.voiceagent.tools.ToolSpec;
import dev.voiceagent.vendor.VendorException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.voiceagent.call.CallScript.await;
import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The call loop with tools, deterministically: the model asks for a tool, the tool runs on its own thread with its
 * timeout, the filler is said when it takes longer than 700 ms (on the session's movable clock), the result goes
 * back to the model and the answer is spoken; failures and timeouts become errors the model talks around; a
 * barge-in during a tool keeps its result; end_call and transfers end the call.
 */
class ToolCallsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PERSONAS = CallScript.PERSONAS.replace("MODEL", Stt.NOVA3) + """
                tools:
                  - builtin: cancel_appointment
                  - builtin: end_call
                  - builtin: transfer_call
                    to: "+15550109999"
                    mode: warm
                toolPhrases: { filler: "Hold on a moment.", transfer: "Putting you through now." }
            """;

    private final ScriptedTool lookup = new ScriptedTool("cancel_appointment");
    private final ScriptedTool transfer = new ScriptedTool("transfer_call");
    private CallScript call;

    @AfterEach
    void hangUp() {
        lookup.release.countDown();
        transfer.release.countDown();
        if (call != null) {
            call.close();
        }
    }

    private CallScript dial() {
        BuiltinTools builtins = BuiltinTools.of(Map.of(BuiltinTool.CANCEL_APPOINTMENT, options -> lookup,
                                                       BuiltinTool.TRANSFER_CALL, options -> transfer));
        call = new CallScript(PERSONAS, new CallScript.ScriptedRecognizer(),
                              new ToolKit(builtins, name -> Optional.empty(), Clock.systemUTC()));
        call.dial();
        call.greeted();
        return call;
    }

    private void callerSays(String words) {
        call.recognizer.hears(words);
        call.says(clip("my_name"));
        call.silence(900);
    }

    @Test
    void theModelAnswersFromTheToolsResultAndTheCallIsStored() {
        lookup.answers = args -> new ToolOutcome.Result(json("{\"cancelled\":true,\"when\":\"Tuesday 3 pm\"}"));
        lookup.release.countDown();
        dial();
        call.llm.callsTools("", new ToolCall("call_1", "cancel_appointment", json("{\"day\":\"Tuesday\"}")));
        call.llm.replies = last -> last.contains("cancelled") ? "Done, your Tuesday visit is cancelled." : "Hm?";

        callerSays("Please cancel my appointment.");

        await(() -> call.line.anyMarkOf(2), "the answer");
        call.marksPlayed();
        await(() -> call.storedAgentTurns().size() == 2, "the answer stored");
        assertThat(call.storedAgentTurns().get(1), is("Done, your Tuesday visit is cancelled."));
        assertThat(lookup.calls.getFirst().path("day").asText(), is("Tuesday"));
        List<ChatMessage> second = call.llm.requests.get(1);
        assertThat(second.get(second.size() - 2).toolCalls().getFirst().name(), is("cancel_appointment"));
        assertThat(second.getLast().role(), is(ChatMessage.Role.TOOL));
        assertThat(second.getLast().toolCallId(), is("call_1"));
        assertThat("the tools are offered", call.llm.chatRequests.getFirst().tools().size(), is(3));
        await(() -> !call.store.toolCalls.isEmpty(), "the tool call stored");
        ToolCallRecord stored = call.store.toolCalls.getFirst();
        assertThat(stored.tool(), is("cancel_appointment"));
        assertThat(stored.outcome(), is("result"));
        assertThat(stored.result(), containsString("Tuesday 3 pm"));
        assertThat(json(stored.arguments()), is(json("{\"day\":\"Tuesday\"}")));
        assertThat("no filler for a quick tool", call.storedAgentTurns().get(1), not(containsString("Hold on")));
    }

    @Test
    void aSlowToolGetsTheFillerAfter700MsThenTheAnswer() throws InterruptedException {
        lookup.answers = args -> new ToolOutcome.Result(json("{\"cancelled\":true}"));
        dial();
        call.llm.callsTools("", new ToolCall("call_1", "cancel_appointment", json("{}")));
        call.llm.replies = last -> "It is cancelled.";

        callerSays("Cancel it please.");
        await(() -> lookup.started.getCount() == 0, "the tool to start");
        Thread.sleep(150);
        assertThat("nothing said before 700 ms", call.line.anyMarkOf(2), is(false));
        call.advance(Duration.ofMillis(800));
        await(() -> call.line.anyMarkOf(2), "the filler");
        lookup.release.countDown();
        await(() -> call.line.marks().contains("r2.end"), "the answer after the filler");
        call.marksPlayed();
        await(() -> call.storedAgentTurns().size() == 2, "the reply stored");
        assertThat(call.storedAgentTurns().get(1), is("Hold on a moment. It is cancelled."));
    }

    @Test
    void aFailingToolGivesTheModelAnErrorToTalkAroundAndTheCallGoesOn() {
        lookup.answers = args -> {
            throw new IllegalStateException("database on fire");
        };
        lookup.release.countDown();
        dial();
        call.llm.callsTools("", new ToolCall("call_1", "cancel_appointment", json("{}")));
        call.llm.replies = last -> last.contains("error") ? "Sorry, I can't reach the calendar right now." : "Yes?";

        callerSays("Cancel it please.");
        await(() -> call.line.marks().contains("r2.end"), "the apology");
        call.marksPlayed();
        await(() -> call.storedAgentTurns().size() == 2, "stored");
        assertThat(call.storedAgentTurns().get(1), is("Sorry, I can't reach the calendar right now."));
        assertThat(call.llm.requests.get(1).getLast().content(), not(containsString("on fire")));
        await(() -> !call.store.toolCalls.isEmpty(), "stored tool call");
        assertThat(call.store.toolCalls.getFirst().failure(), is(Optional.of("vendor_error")));

        call.llm.replies = last -> "Anything else?";
        // Words that sound finished: trailing ones ("Okay then.") would wait a second for more, longer than the
        // silence callerSays feeds, so whether that turn ended would depend on which thread ran first.
        callerSays("Okay, thank you.");
        await(() -> call.line.anyMarkOf(3), "the next turn answered");
    }

    @Test
    void aToolThatNeverAnswersTimesOutAndTheModelIsToldSo() {
        lookup.answers = args -> new ToolOutcome.Result(json("{}"));
        dial();
        call.llm.callsTools("Let me look.", new ToolCall("call_1", "cancel_appointment", json("{}")));
        call.llm.replies = last -> last.contains("in time") ? "The calendar is slow today, sorry." : "?";

        callerSays("Cancel it please.");
        await(() -> lookup.started.getCount() == 0, "the tool to start");
        call.advance(lookup.timeout().plus(ToolRunner.GRACE).plusMillis(100));
        await(() -> call.line.marks().contains("r2.end"), "the answer after the timeout");
        call.marksPlayed();
        await(() -> call.storedAgentTurns().size() == 2, "stored");
        assertThat("words before the call, no filler", call.storedAgentTurns().get(1),
                   is("Let me look. The calendar is slow today, sorry."));
        await(() -> !call.store.toolCalls.isEmpty(), "stored tool call");
        assertThat(call.store.toolCalls.getFirst().failure(), is(Optional.of("timed_out")));
        assertThat("the tool was told to stop", lookup.interrupted.getCount(), is(0L));
    }

    @Test
    void aBargeInDuringAToolKeepsItsResultAndDoesNotReplayTheFiller() {
        lookup.answers = args -> new ToolOutcome.Result(json("{\"cancelled\":true}"));
        dial();
        call.llm.callsTools("", new ToolCall("call_1", "cancel_appointment", json("{}")));

        callerSays("Cancel it please.");
        await(() -> lookup.started.getCount() == 0, "the tool to start");
        call.advance(Duration.ofMillis(800));
        await(() -> call.line.anyMarkOf(2), "the filler");
        call.llm.replies = last -> "Yes, that is done.";
        call.recognizer.hears("Wait, and also tomorrow?");
        call.says(clip("my_name"));                       // talks over the filler
        await(() -> call.line.clears() == 1, "the barge-in");
        lookup.release.countDown();
        await(() -> !call.store.toolCalls.isEmpty(), "the late result stored");
        call.silence(900);

        await(() -> call.line.anyMarkOf(3), "the next answer");
        List<ChatMessage> next = call.llm.requests.getLast();
        assertThat("the result is in the conversation", next.stream().map(ChatMessage::role).toList(),
                   hasItem(ChatMessage.Role.TOOL));
        call.marksPlayed();
        await(() -> call.storedAgentTurns().size() >= 2, "stored");
        assertThat(call.storedAgentTurns().getLast(), is("Yes, that is done."));
    }

    @Test
    void endCallEndsTheCallOnceTheGoodbyeHasPlayed() {
        dial();
        call.llm.callsTools("Thanks for calling, bye!", new ToolCall("call_1", "end_call", json("{}")));

        callerSays("That's all, thanks.");
        await(() -> call.line.marks().contains("r2.end"), "the goodbye");
        call.marksPlayed();
        await(() -> !call.store.closed.isEmpty(), "the call to end");
        assertThat(call.store.closed.getFirst().endReason(), is("agent hung up"));
        assertThat(call.storedAgentTurns().getLast(), is("Thanks for calling, bye!"));
    }

    @Test
    void theEndCallTokenStillWorks() {
        dial();
        call.llm.replies = last -> "Goodbye then. [END_CALL]";

        callerSays("Bye.");
        await(() -> call.line.marks().contains("r2.end"), "the goodbye");
        call.marksPlayed();
        await(() -> !call.store.closed.isEmpty(), "the call to end");
        assertThat(call.store.closed.getFirst().endReason(), is("agent hung up"));
    }

    @Test
    void aWarmTransferSaysItsLineThenHandsOffWithASummaryAndEndsTheStream() {
        List<String> summaries = new CopyOnWriteArrayList<>();
        transfer.answers = args -> new ToolOutcome.Transfer(summaries::add, true, "+15550109999");
        transfer.release.countDown();
        dial();
        call.llm.callsTools("", new ToolCall("call_1", "transfer_call", json("{}")));
        call.llm.replies = last -> last.contains("one short sentence") ? "Jane Doe wants to cancel Tuesday." : "?";

        callerSays("Can I talk to a person?");
        await(() -> call.line.marks().contains("r2.end"), "the transfer line");
        assertThat("the handoff waits for the line to play", summaries.isEmpty(), is(true));
        call.marksPlayed();
        await(() -> !call.store.closed.isEmpty(), "the stream to end");
        assertThat(summaries, contains("Jane Doe wants to cancel Tuesday."));
        assertThat(call.store.closed.getFirst().endReason(), is("transferred to a person"));
        assertThat(call.storedAgentTurns().getLast(), is("Putting you through now."));
    }

    @Test
    void twiliosStopCausedByTheTransferRedirectIsNotAHangUp() {
        CountDownLatch handingOff = new CountDownLatch(1);
        CountDownLatch redirected = new CountDownLatch(1);
        transfer.answers = args -> new ToolOutcome.Transfer(summary -> {
            handingOff.countDown();
            redirected.await(10, TimeUnit.SECONDS);   // Twilio redirects the call, and stops the stream, meanwhile
        }, false, "+15550109999");
        transfer.release.countDown();
        dial();
        call.llm.callsTools("Sure, connecting you.", new ToolCall("call_1", "transfer_call", json("{}")));

        callerSays("Can I talk to a person?");
        await(() -> call.line.marks().contains("r2.end"), "the model's own transfer words");
        call.marksPlayed();
        await(() -> handingOff.getCount() == 0, "the handoff");
        call.hangUp();
        await(() -> !call.store.closed.isEmpty(), "the stream to end");
        redirected.countDown();
        assertThat(call.store.closed.getFirst().endReason(), is("transferred to a person"));
        assertThat(call.storedAgentTurns().getLast(), is("Sure, connecting you."));
    }

    @Test
    void aFailedTransferApologisesAndTheCallGoesOn() {
        transfer.answers = args -> new ToolOutcome.Transfer(summary -> {
            throw new VendorException("twilio", VendorException.Kind.SERVER_ERROR, 500, "boom");
        }, false, "+15550109999");
        transfer.release.countDown();
        dial();
        call.llm.callsTools("", new ToolCall("call_1", "transfer_call", json("{}")));

        callerSays("Can I talk to a person?");
        await(() -> call.line.marks().contains("r2.end"), "the transfer line");
        call.marksPlayed();
        await(() -> call.line.marks().contains("r3.end"), "the apology");
        call.marksPlayed();
        await(() -> call.storedAgentTurns().getLast().startsWith("I'm sorry, I couldn't put you through"), "apology stored");
        assertThat(call.store.closed.isEmpty(), is(true));

        call.llm.replies = last -> "How else can I help?";
        callerSays("Okay.");
        await(() -> call.line.anyMarkOf(4), "the call goes on");
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A stand-in for a built-in: answers as scripted once released, and records what it was asked. */
    private static final class ScriptedTool implements Tool {
        final String name;
        final List<JsonNode> calls = new CopyOnWriteArrayList<>();
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch interrupted = new CountDownLatch(1);
        volatile Function<JsonNode, ToolOutcome> answers = args -> new ToolOutcome.Failed(ToolFailure.UNAVAILABLE, "x");

        ScriptedTool(String name) {
            this.name = name;
        }

        @Override
        public ToolSpec spec() {
            return new ToolSpec(name, "scripted " + name, JSON.createObjectNode().put("type", "object"));
        }

        @Override
        public ToolOutcome run(JsonNode arguments, ToolContext context) throws InterruptedException {
            calls.add(arguments);
            started.countDown();
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("never released");
                }
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return answers.apply(arguments);
        }
    }
}
