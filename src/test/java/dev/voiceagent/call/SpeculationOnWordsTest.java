package dev.voiceagent.call;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import dev.voiceagent.persona.Stt;

import static dev.voiceagent.call.CallScript.await;
import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

/**
 * At the caller's first pause, words that sound finished are answered speculatively and held; the final words
 * of the turn decide whether the held answer plays, is regenerated, or is dropped. Nothing speculative is
 * played or stored.
 */
class SpeculationOnWordsTest {

    /** The first 877 ms of pause_mid_sentence: "I need a plumber". */
    private static final byte[] FIRST_PART = Arrays.copyOf(clip("pause_mid_sentence"), 7016);
    /** The rest of it after the 450 ms pause: "to fix a leaking pipe in my kitchen." */
    private static final byte[] SECOND_PART = Arrays.copyOfRange(clip("pause_mid_sentence"), 7016 + 3600,
                                                                 clip("pause_mid_sentence").length);

    @Test
    void aSpeculationConfirmedByTheFinalWordsPlaysAndTheModelIsAskedOnce() {
        try (CallScript call = CallScript.start(Stt.NOVA3)) {
            call.greeted();
            call.recognizer.hears("My name is Jane Doe.");
            call.says(clip("my_name"));
            call.silence(900);

            await(() -> call.line.anyMarkOf(2), "the held answer to play");
            assertThat(call.llm.callerWords(), contains("My name is Jane Doe."));
            assertThat(call.recognizer.latest().finalizes.get(), is(1));
        }
    }

    @Test
    void aSpeculationWhoseFinalWordsDifferIsRegeneratedFromThem() {
        try (CallScript call = CallScript.start(Stt.NOVA3)) {
            call.greeted();
            call.recognizer.hears("I need a plumber.");
            call.says(FIRST_PART);
            call.silence(150);                        // a pause: words that sound finished, answered and held
            await(() -> call.llm.requests.size() == 1, "the speculative request");
            call.recognizer.hears("Today.");
            call.says(Arrays.copyOfRange(SECOND_PART, 800, 800 + 8 * 60));   // 60 ms more: too short to resume
            call.silence(900);

            await(() -> call.llm.requests.size() == 2, "the answer regenerated from the final words");
            assertThat(call.llm.callerWords(), contains("I need a plumber.", "I need a plumber. Today."));
            await(() -> call.line.anyMarkOf(2), "the regenerated answer to play");
            await(() -> call.storedCallerTurns().contains("I need a plumber. Today."), "the final words stored");
            assertThat(call.storedCallerTurns(), contains("I need a plumber. Today."));
        }
    }

    @Test
    void aSpeculationIsDroppedWhenTheCallerGoesOnAndNothingOfItIsPlayedOrStored() {
        try (CallScript call = CallScript.start(Stt.NOVA3)) {
            call.greeted();
            call.recognizer.hears("I need a plumber.");
            call.says(FIRST_PART);
            call.silence(150);
            await(() -> call.llm.requests.size() == 1, "the speculative request");
            call.recognizer.hears("To fix a leaking pipe in my kitchen.");
            call.says(SECOND_PART);
            call.silence(900);

            await(() -> call.line.anyMarkOf(3), "the answer to the whole turn");
            assertThat("the dropped speculation (reply 2) never reached the line", call.line.anyMarkOf(2), is(false));
            assertThat(call.llm.callerWords().getLast(), is("I need a plumber. To fix a leaking pipe in my kitchen."));
            call.marksPlayed();
            await(() -> call.storedAgentTurns().size() == 2, "the answer stored");
            assertThat(call.storedCallerTurns(), contains("I need a plumber. To fix a leaking pipe in my kitchen."));
        }
    }

    @Test
    void wordsThatTrailOffAreNotAnsweredSpeculatively() {
        try (CallScript call = CallScript.start(Stt.NOVA3)) {
            call.greeted();
            call.recognizer.hears("I need a plumber to");
            call.says(FIRST_PART);
            call.silence(150);
            await(() -> call.recognizer.latest().finalizes.get() == 1, "the pause's Finalize");
            call.recognizer.hears("fix a leaking pipe in my kitchen.");
            call.says(SECOND_PART);
            call.silence(150);
            // The words so far trailed off, which lengthens the end-of-turn wait until the new words are known.
            await(() -> call.recognizer.latest().finalizes.get() == 2, "the second pause's Finalize");
            call.silence(900);

            await(() -> call.line.anyMarkOf(2), "the answer");
            assertThat("one request: the trailing pause was not answered", call.llm.requests.size(), is(1));
            assertThat(call.llm.callerWords(), contains("I need a plumber to fix a leaking pipe in my kitchen."));
        }
    }
}
