package dev.voiceagent.call;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.voiceagent.persona.TurnTaking;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/** Listening turns 20 ms frames into the few conversation events the call thread acts on. */
class HearingTest {

    private final List<CallInput> events = new ArrayList<>();

    @Test
    void aSentenceThenSilenceIsTalkingPausedAndFinishedOnce() {
        Hearing hearing = new Hearing(TurnTaking.defaults(), 8 * 30_000, events::add);
        byte[] speech = clip("my_name");
        play(hearing, speech);
        play(hearing, silence(1200));
        assertThat(kinds(), contains("CallerTalking", "CallerPaused", "CallerFinished"));
        CallInput.CallerFinished turn = (CallInput.CallerFinished) events.getLast();
        assertThat(turn.speechLike(), is(true));
        assertThat(turn.silenceMs(), is(600));
        assertThat(turn.audio().length, greaterThanOrEqualTo(speech.length));
        assertThat(hearing.callerInTurn(), is(false));
    }

    @Test
    void aPauseInsideTheSentenceIsAPauseAndAResumptionNotAnEnd() {
        Hearing hearing = new Hearing(TurnTaking.defaults(), 8 * 30_000, events::add);
        play(hearing, clip("pause_mid_sentence"));
        play(hearing, silence(1200));
        assertThat(kinds(), contains("CallerTalking", "CallerPaused", "CallerResumed", "CallerPaused", "CallerFinished"));
    }

    @Test
    void lineNoiseAloneNeverBecomesATurn() {
        Hearing hearing = new Hearing(TurnTaking.defaults(), 8 * 30_000, events::add);
        play(hearing, clip("line_noise"));
        play(hearing, clip("line_noise"));
        assertThat(events, is(empty()));
    }

    @Test
    void withoutSpeculationNoPausesAreReported() {
        TurnTaking d = TurnTaking.defaults();
        TurnTaking plain = new TurnTaking(d.endOfTurn(), d.minSpeech(), d.interruptAfter(), d.interruptible(),
                                          d.repromptAfter(), d.maxCallLength(), TurnTaking.Speculation.off());
        Hearing hearing = new Hearing(plain, 8 * 30_000, events::add);
        play(hearing, clip("pause_mid_sentence"));
        play(hearing, silence(1200));
        assertThat(kinds(), contains("CallerTalking", "CallerFinished"));
    }

    @Test
    void aFinishedSentenceShortensTheWaitOnceItsSpeculativeTranscriptIsKnown() {
        Hearing hearing = new Hearing(TurnTaking.defaults(), 8 * 30_000, events::add);
        AgentReply speculative = new AgentReply(1, AgentReply.Kind.ANSWER, true, false, new TurnTimings(), null, false);
        speculative.callerText("My name is Jane Doe.");
        hearing.speculating(speculative);
        play(hearing, clip("my_name"));
        play(hearing, silence(1200));
        CallInput.CallerFinished turn = (CallInput.CallerFinished) events.getLast();
        assertThat(turn.silenceMs(), lessThan(600));
        assertThat(turn.silenceMs(), greaterThanOrEqualTo(500));
    }

    private List<String> kinds() {
        return events.stream().map(e -> e.getClass().getSimpleName()).toList();
    }

    private static void play(Hearing hearing, byte[] audio) {
        for (int i = 0; i + 160 <= audio.length; i += 160) {
            hearing.frame(Arrays.copyOfRange(audio, i, i + 160));
        }
    }

    private static byte[] silence(int millis) {
        byte[] b = new byte[8 * millis];
        Arrays.fill(b, (byte) 0xFF);
        return b;
    }
}
