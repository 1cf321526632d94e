package dev.voiceagent.call;

import org.junit.jupiter.api.Test;

import dev.voiceagent.persona.Stt;

import static dev.voiceagent.call.CallScript.await;
import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

/** With a live recogniser, a turn is answered from the words streamed while the caller talked. */
class StreamedTurnsTest {

    @Test
    void aTurnIsAnsweredFromStreamedWordsWithNoBatchTranscription() {
        try (CallScript call = CallScript.start(Stt.NOVA3)) {
            call.greeted();
            CallScript.ScriptedRecognizer.Session stream = call.recognizer.latest();
            byte[] said = clip("my_name");
            call.recognizer.hears("My name is Jane Doe.");
            call.says(said);
            call.silence(900);

            await(() -> call.line.anyMarkOf(2), "the answer to be spoken");
            assertThat(call.llm.callerWords(), contains("My name is Jane Doe."));
            assertThat(call.whisper.requests.get(), is(0));
            assertThat("the caller's audio streamed to the recogniser", stream.audioBytes.get(),
                       greaterThanOrEqualTo((long) said.length));
            assertThat(stream.finalizes.get(), greaterThanOrEqualTo(1));
        }
    }

    @Test
    void theCallersTurnIsStoredAsSoonAsItsWordsAreFinalBeforeTheReplyHasPlayed() {
        try (CallScript call = CallScript.start(Stt.NOVA3)) {
            call.greeted();
            call.recognizer.hears("My name is Jane Doe.");
            call.says(clip("my_name"));
            call.silence(900);

            await(() -> call.storedCallerTurns().contains("My name is Jane Doe."), "the caller's turn stored");
            assertThat("the reply has not played (no mark echoed), so it is not stored yet",
                       call.storedAgentTurns(), contains("Hello."));
            call.marksPlayed();
            await(() -> call.storedAgentTurns().size() == 2, "the reply stored once played");
        }
    }

    @Test
    void aTurnWithNoWordsIsNotAnswered() {
        try (CallScript call = CallScript.start(Stt.NOVA3)) {
            call.greeted();
            call.recognizer.hears("");
            call.says(clip("my_name"));
            call.silence(900);
            await(() -> call.recognizer.latest().finalizes.get() == 1, "the pause's Finalize");
            call.recognizer.hears("My name is Jane Doe.");
            call.says(clip("my_name"));
            call.silence(900);

            // The caller's turn is stored before the model is asked, so wait for the answer itself.
            await(() -> call.line.anyMarkOf(2), "the second turn answered");
            assertThat(call.llm.callerWords(), contains("My name is Jane Doe."));
            assertThat(call.whisper.requests.get(), is(0));
            assertThat(call.storedCallerTurns(), contains("My name is Jane Doe."));
        }
    }
}
