package dev.voiceagent.audio;

import static dev.voiceagent.audio.TurnDetector.Event.NONE;
import static dev.voiceagent.audio.TurnDetector.Event.SPEECH_STARTED;
import static dev.voiceagent.audio.TurnDetector.Event.TURN_ENDED;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.voiceagent.audio.TurnDetector.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** When per-frame speech decisions become "the caller started speaking" and "the caller's turn is over". */
class TurnDetectorTest {

    private static final int FRAME_MS = 20;

    private final TurnDetector turns = new TurnDetector(TurnSettings.defaults());
    private final List<String> events = new ArrayList<>();
    private int clockMs;

    @Test
    void defaultsAre120MsToStart600MsToEnd200MsOfSpeechToCount() {
        assertThat(TurnSettings.defaults(), is(new TurnSettings(120, 600, 200)));
    }

    @Test
    void speechStartsOnceAfter120MsOfSpeech() {
        speech(1_000);

        assertThat(events, contains("SPEECH_STARTED@120"));
        assertThat(turns.inTurn(), is(true));
    }

    @Test
    void aSingleDropoutInsideTheOnsetDoesNotRestartIt() {
        speech(60);
        silence(20);
        speech(60);

        assertThat(events, contains("SPEECH_STARTED@140"));
    }

    @Test
    void twoDropoutsInsideTheOnsetRestartIt() {
        speech(60);
        silence(20);
        speech(20);
        silence(20);
        speech(100);
        assertThat(events, is(empty()));

        speech(20);
        assertThat(events, contains("SPEECH_STARTED@240"));
    }

    @Test
    void twoConsecutiveNonSpeechFramesRestartTheOnset() {
        speech(100);
        silence(40);
        speech(100);
        assertThat(events, is(empty()));

        speech(20);
        assertThat(events, contains("SPEECH_STARTED@260"));
    }

    @Test
    void a60MsClickNeverStartsATurn() {
        silence(500);
        speech(60);
        silence(2_000);

        assertThat(events, is(empty()));
        assertThat(turns.inTurn(), is(false));
    }

    @Test
    void scatteredNoiseHitsNeverStartATurn() {
        Random random = new Random(7);
        for (int i = 0; i < 500; i++) {
            frame(random.nextInt(10) == 0);
        }

        assertThat(events, is(empty()));
    }

    @Test
    void noiseOnlyNeverStartsATurn() {
        silence(10_000);

        assertThat(events, is(empty()));
        assertThat(turns.silenceMs(), is(10_000));
    }

    @ParameterizedTest
    @ValueSource(ints = {20, 200, 400, 450, 580})
    void aPauseShorterThanTheEndOfTurnDoesNotEndIt(int pauseMs) {
        speech(500);
        silence(pauseMs);
        speech(500);

        assertThat(events, contains("SPEECH_STARTED@120"));
        assertThat(turns.inTurn(), is(true));
        assertThat(turns.turnSpeechMs(), is(1_000));
    }

    @Test
    void a600MsPauseEndsTheTurnOnceExactlyWhenItCompletes() {
        speech(500);
        silence(2_000);

        assertThat(events, contains("SPEECH_STARTED@120", "TURN_ENDED@1100"));
        assertThat(turns.inTurn(), is(false));
    }

    @Test
    void speechTooShortToCountEndsSilently() {
        speech(160);
        assertThat(events, contains("SPEECH_STARTED@120"));

        silence(1_000);

        assertThat(events, contains("SPEECH_STARTED@120"));
        assertThat(turns.inTurn(), is(false));
        assertThat(turns.turnSpeechMs(), is(0));
    }

    @Test
    void speechAcrossShortPausesAddsUpToReachTheMinimumTurn() {
        speech(120);
        silence(300);
        speech(100);
        silence(600);

        assertThat(events, contains("SPEECH_STARTED@120", "TURN_ENDED@1120"));
    }

    @Test
    void theNextTurnStartsAfreshAfterOneEnded() {
        speech(400);
        silence(700);
        speech(400);
        silence(700);

        assertThat(events, contains("SPEECH_STARTED@120", "TURN_ENDED@1000", "SPEECH_STARTED@1220",
                "TURN_ENDED@2100"));
    }

    @Test
    void silenceCountsContinuousNonSpeechAndSpeechResetsIt() {
        silence(3_000);
        assertThat(turns.silenceMs(), is(3_000));

        speech(20);
        assertThat(turns.silenceMs(), is(0));

        silence(100);
        assertThat(turns.silenceMs(), is(100));
    }

    @Test
    void turnSpeechCountsOnlySpeechFrames() {
        speech(300);
        silence(200);
        speech(240);

        assertThat(turns.turnSpeechMs(), is(540));
    }

    @Test
    void resetForgetsTheTurnInProgress() {
        speech(400);
        silence(300);

        turns.reset();

        assertThat(turns.inTurn(), is(false));
        assertThat(turns.silenceMs(), is(0));
        assertThat(turns.turnSpeechMs(), is(0));
        silence(2_000);
        assertThat(events, contains("SPEECH_STARTED@120"));
    }

    @Test
    void aPersonaCanWaitLongerBeforeTheTurnEnds() {
        TurnDetector patient = TurnDetector.withEndOfTurnMs(900);
        List<Event> seen = new ArrayList<>();
        for (int t = 0; t < 500; t += FRAME_MS) {
            seen.add(patient.accept(true, FRAME_MS));
        }
        for (int t = 0; t < 880; t += FRAME_MS) {
            seen.add(patient.accept(false, FRAME_MS));
        }
        assertThat(seen.contains(TURN_ENDED), is(false));

        assertThat(patient.accept(false, FRAME_MS), is(TURN_ENDED));
        assertThat(TurnSettings.defaults().withEndOfTurnMs(900), is(new TurnSettings(120, 900, 200)));
    }

    @Test
    void rejectsNonPositiveDurations() {
        assertThrows(IllegalArgumentException.class, () -> new TurnSettings(0, 600, 200));
        assertThrows(IllegalArgumentException.class, () -> new TurnSettings(120, 0, 200));
        assertThrows(IllegalArgumentException.class, () -> new TurnSettings(120, 600, -1));
    }

    private void speech(int ms) {
        for (int t = 0; t < ms; t += FRAME_MS) {
            frame(true);
        }
    }

    private void silence(int ms) {
        for (int t = 0; t < ms; t += FRAME_MS) {
            frame(false);
        }
    }

    /** Feeds one frame and records any event as "EVENT@ms", the time at the end of that frame. */
    private void frame(boolean speech) {
        Event event = turns.accept(speech, FRAME_MS);
        clockMs += FRAME_MS;
        if (event != NONE) {
            events.add(event + "@" + clockMs);
        }
    }
}
