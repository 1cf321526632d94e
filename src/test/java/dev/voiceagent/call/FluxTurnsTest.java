package dev.voiceagent.call;

import org.junit.jupiter.api.Test;

import dev.voiceagent.persona.Stt;
import dev.voiceagent.stt.SpeechEvent;

import static dev.voiceagent.call.CallScript.await;
import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

/** With Flux the model takes turns: EagerEndOfTurn starts the answer, TurnResumed cancels it, EndOfTurn commits it. */
class FluxTurnsTest {

    @Test
    void anEagerEndOfTurnConfirmedByEndOfTurnIsAnsweredOnce() {
        try (CallScript call = CallScript.start(Stt.FLUX)) {
            call.greeted();
            CallScript.ScriptedRecognizer.Session flux = call.recognizer.latest();
            call.says(clip("my_name"));
            flux.emit(new SpeechEvent.SpeechStarted());
            flux.emit(new SpeechEvent.Words("My name is", false, false, false, true));
            flux.emit(new SpeechEvent.EagerEndOfTurn("My name is Jane Doe."));
            await(() -> call.llm.requests.size() == 1, "the answer started on the eager end of turn");
            flux.emit(new SpeechEvent.EndOfTurn("My name is Jane Doe."));
            call.silence(900);   // the local detector's own end of turn comes later and is not a second turn

            await(() -> call.line.anyMarkOf(2), "the answer to play");
            call.marksPlayed();
            await(() -> call.storedAgentTurns().size() == 2, "the answer stored");
            assertThat(call.llm.callerWords(), contains("My name is Jane Doe."));
            assertThat(call.storedCallerTurns(), contains("My name is Jane Doe."));
            assertThat(call.whisper.requests.get(), is(0));
            assertThat("Flux takes no Finalize", flux.finalizes.get(), is(0));
        }
    }

    @Test
    void turnResumedDropsTheEagerAnswerAndTheWholeTurnIsAnswered() {
        try (CallScript call = CallScript.start(Stt.FLUX)) {
            call.greeted();
            CallScript.ScriptedRecognizer.Session flux = call.recognizer.latest();
            call.says(clip("pause_mid_sentence"));
            flux.emit(new SpeechEvent.EagerEndOfTurn("I need a plumber"));
            await(() -> call.llm.requests.size() == 1, "the eager answer");
            flux.emit(new SpeechEvent.TurnResumed());
            flux.emit(new SpeechEvent.EagerEndOfTurn("I need a plumber to fix a leaking pipe in my kitchen."));
            flux.emit(new SpeechEvent.EndOfTurn("I need a plumber to fix a leaking pipe in my kitchen."));
            call.silence(900);

            await(() -> call.line.anyMarkOf(3), "the answer to the whole turn");
            assertThat("the resumed answer (reply 2) never reached the line", call.line.anyMarkOf(2), is(false));
            assertThat(call.llm.callerWords(), contains("I need a plumber",
                                                        "I need a plumber to fix a leaking pipe in my kitchen."));
        }
    }
}
