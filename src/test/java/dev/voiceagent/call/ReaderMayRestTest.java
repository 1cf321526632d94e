package dev.voiceagent.call;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.voiceagent.persona.Stt;
import dev.voiceagent.persona.TurnTaking;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

/**
 * When the socket's reader may rest ({@link SocketCall#readerMayRest()}, {@link ReaderPacing}): while the caller is
 * quiet and in mid-sentence, never where a barge-in, a pause or the end of a turn is about to be decided.
 */
class ReaderMayRestTest {

    /** The live-transcription turn-taking, whose pause wait (100 ms) is the shortest a persona gets by default. */
    private static final TurnTaking TURNS;

    static {
        TurnTaking d = TurnTaking.defaults();
        TURNS = new TurnTaking(d.endOfTurn(), d.minSpeech(), d.interruptAfter(), d.interruptible(), d.repromptAfter(),
                               d.maxCallLength(), TurnTaking.Speculation.streamingDefaults());
    }

    private static final int REST_MS = 100;

    /** One frame as heard: whether the reader could rest after it, and what it made Hearing post. */
    private record Heard(int index, boolean inTurn, boolean mayRest, List<CallInput> posted) {
        boolean posts(Class<?> kind) {
            return posted.stream().anyMatch(kind::isInstance);
        }
    }

    @Test
    void beforeTheCallHasStartedTheReaderDoesNotRestSoStartIsReadAtOnce() {
        try (CallScript call = CallScript.notDialled(Stt.NOVA3)) {
            assertThat(call.readerMayRest(), is(false));
        }
    }

    @Test
    void aCallerWhoSaysNothingLetsTheReaderRest() {
        try (CallScript call = CallScript.start(Stt.NOVA3)) {
            call.greeted();
            call.silence(200);
            assertThat(call.readerMayRest(), is(true));
        }
    }

    @Test
    void theStartOfATurnIsHeardFrameByFrameUntilTheCallerCountsAsTalking() {
        List<Heard> heard = hear(clip("my_name"), silence(1200));
        int talking = first(heard, CallInput.CallerTalking.class);
        for (Heard h : heard.subList(0, talking)) {
            if (h.inTurn()) {
                assertThat("frame " + h.index() + " before the barge-in decision", h.mayRest(), is(false));
            }
        }
    }

    @Test
    void inMidSentenceTheReaderRests() {
        List<Heard> heard = hear(clip("my_name"), silence(1200));
        int talking = first(heard, CallInput.CallerTalking.class);
        int finished = first(heard, CallInput.CallerFinished.class);
        long resting = heard.subList(talking, finished).stream().filter(Heard::mayRest).count();
        assertThat(resting, greaterThan(0L));
    }

    @Test
    void aRestNeverDelaysAPauseOrTheEndOfATurn() {
        for (String name : List.of("my_name", "pause_mid_sentence", "two_pauses", "book_appointment", "speech_over_noise", "interruption")) {
            List<Heard> heard = hear(clip(name), silence(1200));
            for (Heard decision : heard) {
                if (!decision.posts(CallInput.CallerPaused.class) && !decision.posts(CallInput.CallerFinished.class)) {
                    continue;
                }
                // The last frame after which the reader could rest within this turn: the frames up to the decision
                // arrive during that rest at the latest, so the rest must end before the decision is due.
                int lastRest = -1;
                for (Heard h : heard.subList(0, decision.index())) {
                    if (h.inTurn() && h.mayRest()) {
                        lastRest = h.index();
                    }
                }
                if (lastRest >= 0) {
                    assertThat(name + ": audio between a rest and the decision at frame " + decision.index() + " (ms)",
                               (decision.index() - lastRest) * 20, greaterThanOrEqualTo(REST_MS));
                }
            }
        }
    }

    @Test
    void onceTheTurnHasEndedTheReaderRestsAgain() {
        List<Heard> heard = hear(clip("my_name"), silence(1200));
        int finished = first(heard, CallInput.CallerFinished.class);
        assertThat(heard.get(finished).mayRest(), is(true));
        assertThat(heard.getLast().mayRest(), is(true));
    }

    private static List<Heard> hear(byte[]... parts) {
        List<CallInput> posted = new ArrayList<>();
        Hearing hearing = new Hearing(TURNS, 8 * 30_000, posted::add);
        List<Heard> heard = new ArrayList<>();
        for (byte[] audio : parts) {
            for (int i = 0; i + 160 <= audio.length; i += 160) {
                int before = posted.size();
                hearing.frame(Arrays.copyOfRange(audio, i, i + 160));
                heard.add(new Heard(heard.size(), hearing.callerInTurn(), hearing.readerMayRest(),
                                    List.copyOf(posted.subList(before, posted.size()))));
            }
        }
        return heard;
    }

    private static int first(List<Heard> heard, Class<?> kind) {
        return heard.stream().filter(h -> h.posts(kind)).findFirst().orElseThrow(
                () -> new AssertionError("no " + kind.getSimpleName())).index();
    }

    private static byte[] silence(int millis) {
        byte[] b = new byte[8 * millis];
        Arrays.fill(b, (byte) 0xFF);
        return b;
    }
}
