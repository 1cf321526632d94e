package dev.voiceagent.call;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import dev.voiceagent.persona.Stt;
import dev.voiceagent.stt.SpeechEvent;
import dev.voiceagent.vendor.VendorException;

import static dev.voiceagent.call.CallScript.await;
import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/** A live recogniser that cannot open or drops never leaves the caller unanswered. */
class RecognizerFailureTest {

    @Test
    void aRecognizerRefusedAtStartLeavesTheCallToBatchWhisper() {
        CallScript.ScriptedRecognizer refusing = new CallScript.ScriptedRecognizer();
        try (CallScript call = new CallScript(CallScript.PERSONAS.replace("MODEL", Stt.NOVA3), refusing)) {
            refusing.openFailures.add(new VendorException("cloudflare", VendorException.Kind.UNAUTHORIZED, 401, "bad token"));
            call.dial();
            call.greeted();
            call.whisper.transcripts.add("My name is Jane Doe.");
            call.says(clip("my_name"));
            call.silence(900);

            await(() -> call.llm.requests.size() == 1, "the turn answered");
            assertThat(call.llm.callerWords(), contains("My name is Jane Doe."));
            assertThat(call.whisper.requests.get(), is(1));
            assertThat("no live session was opened", refusing.sessions.size(), is(0));
        }
    }

    @Test
    void aRecognizerThatKeepsFailingForASecondIsGivenUpForTheCall() throws InterruptedException {
        CallScript.ScriptedRecognizer flaky = new CallScript.ScriptedRecognizer();
        for (int i = 0; i < 50; i++) {
            flaky.openFailures.add(new VendorException("cloudflare", VendorException.Kind.SERVER_ERROR, 503, "unavailable"));
        }
        try (CallScript call = new CallScript(CallScript.PERSONAS.replace("MODEL", Stt.NOVA3), flaky)) {
            call.dial();
            call.greeted();
            await(() -> flaky.opens.get() >= 3, "retries");
            int atAdvance = flaky.opens.get();
            call.advance(Listening.REOPEN_WITHIN);   // past the second of retries: the failure handled next gives up
            call.whisper.transcribesAs("Yes, that works. Thank you.");
            call.says(clip("yes_thanks"));
            call.silence(900);

            await(() -> call.llm.requests.size() >= 1 && call.whisper.requests.get() >= 1, "the turn answered in batch");
            // Retries come every 100 ms: a count that holds for 300 ms has stopped.
            int tries;
            int looks = 0;
            do {
                tries = flaky.opens.get();
                Thread.sleep(300);
            } while (flaky.opens.get() != tries && ++looks < 20);
            assertThat("given up at the first failure after the second was over, and no more tries",
                       tries, lessThanOrEqualTo(atAdvance + 1));
        }
    }

    @Test
    void aSocketDroppedMidTurnIsReopenedWithTheTurnReplayedAndTheTurnIsStillAnswered() {
        try (CallScript call = CallScript.start(Stt.NOVA3)) {
            call.greeted();
            byte[] turn = clip("book_appointment");
            byte[] firstHalf = Arrays.copyOf(turn, turn.length / 2);
            CallScript.ScriptedRecognizer.Session first = call.recognizer.latest();
            call.says(firstHalf);
            first.emit(new SpeechEvent.Dropped("connection reset"));
            await(() -> call.recognizer.sessions.size() == 2, "the socket reopened");
            CallScript.ScriptedRecognizer.Session second = call.recognizer.sessions.get(1);
            // Twilio's frames keep coming; the first one after the socket is attached replays the turn into it.
            await(() -> {
                call.silence(20);
                return second.audioBytes.get() > 0;
            }, "the new socket attached");
            call.recognizer.hears("Hi, I would like to book an appointment for next Tuesday.");
            call.says(Arrays.copyOfRange(turn, turn.length / 2, turn.length));
            call.silence(900);

            await(() -> call.llm.requests.size() >= 1, "the turn answered");
            assertThat(call.llm.callerWords().getLast(), is("Hi, I would like to book an appointment for next Tuesday."));
            assertThat(call.whisper.requests.get(), is(0));
            assertThat("the turn so far was replayed into the new socket", second.audioBytes.get(),
                       greaterThanOrEqualTo((long) turn.length));
        }
    }

    @Test
    void aSocketThatDropsWhileTheFinalWordsAreAwaitedHasTheTurnTranscribedInBatch() {
        try (CallScript call = CallScript.start(Stt.NOVA3)) {
            call.greeted();
            call.recognizer.answerFinalize = false;     // the vendor never answers the Finalize...
            call.whisper.transcripts.add("My name is Jane Doe.");
            call.says(clip("my_name"));
            call.silence(900);
            await(() -> call.recognizer.latest().finalizes.get() >= 1, "the pause's Finalize");
            call.recognizer.latest().emit(new SpeechEvent.Dropped("cut"));   // ...and then drops

            await(() -> call.llm.requests.size() == 1, "the turn answered");
            assertThat(call.llm.callerWords(), contains("My name is Jane Doe."));
            assertThat(call.whisper.requests.get(), is(1));
        }
    }

    @Test
    void finalWordsThatNeverComeAreReplacedByBatchTranscriptionOfTheTurn() {
        try (CallScript call = CallScript.start(Stt.NOVA3)) {
            call.greeted();
            call.recognizer.answerFinalize = false;
            call.whisper.transcripts.add("My name is Jane Doe.");
            call.says(clip("my_name"));
            call.silence(900);
            await(() -> call.recognizer.latest().finalizes.get() >= 1, "the pause's Finalize");
            call.advance(Listening.FINAL_WORDS_WAIT);

            await(() -> call.llm.requests.size() == 1, "the turn answered");
            assertThat(call.llm.callerWords(), contains("My name is Jane Doe."));
            assertThat(call.whisper.requests.get(), is(1));
        }
    }
}
