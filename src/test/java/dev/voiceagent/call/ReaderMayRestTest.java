package dev.voiceagent.call;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.voiceagent.audio.VadSettings;
import dev.voiceagent.audio.VoiceActivityDetector;
import dev.voiceagent.fakes.TestAudio;
import dev.voiceagent.persona.Stt;
import dev.voiceagent.persona.TurnTaking;
import dev.voiceagent.stt.SpeechStream;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/**
 * How long the socket's reader may rest ({@link SocketCall#readerMayRestMs()}, {@link ReaderPacing}): never past
 * the audio on which a barge-in, a pause, the caller going on or the end of a turn is decided, and long enough,
 * away from those, that the reader takes the caller's frames a few at a time.
 */
class ReaderMayRestTest {

    private static final TurnTaking DEFAULTS = TurnTaking.defaults();
    /** The live-transcription turn-taking, whose pause wait (100 ms) is the shortest a persona gets by default. */
    private static final TurnTaking STREAMING = withSpeculation(TurnTaking.Speculation.streamingDefaults());
    private static final TurnTaking NO_SPECULATION = withSpeculation(TurnTaking.Speculation.off());

    private static final List<String> CLIPS = List.of("my_name", "pause_mid_sentence", "two_pauses",
            "book_appointment", "speech_over_noise", "interruption", "yes_thanks", "line_noise");

    /** The reader's longest rest (the default {@code calls.readerRestMs}). */
    private static final int REST_MS = 100;

    /** One frame as heard: whether speech, how long the reader could rest after it, what it made Hearing post. */
    private record Heard(int index, boolean speech, boolean inTurn, int mayRestMs, List<CallInput> posted) {
        boolean decides() {
            return !posted.isEmpty();
        }

        boolean posts(Class<?> kind) {
            return posted.stream().anyMatch(kind::isInstance);
        }

        /** How long a caught-up reader rests after this frame, as {@link ReaderPacing} decides it (0: not at all). */
        int restMs() {
            long ms = 1_000_000L;
            return (int) (new ReaderPacing(REST_MS * ms).afterFrame(0, -1, mayRestMs * ms) / ms);
        }

        boolean rests() {
            return restMs() > 0;
        }
    }

    @Test
    void beforeTheCallHasStartedTheReaderDoesNotRestSoStartIsReadAtOnce() {
        try (CallScript call = CallScript.notDialled(Stt.NOVA3)) {
            assertThat(call.readerMayRestMs(), is(0));
        }
    }

    @Test
    void aCallerWhoSaysNothingLetsTheReaderRestInFull() {
        try (CallScript call = CallScript.start(Stt.NOVA3)) {
            call.greeted();
            call.silence(200);
            assertThat(call.readerMayRestMs(), greaterThanOrEqualTo(REST_MS + 20));
        }
    }

    @Test
    void theReaderIsGivenEachFramesStampAndNoneForOtherMessages() throws Exception {
        try (CallScript call = CallScript.start(Stt.NOVA3)) {
            call.greeted();
            String payload = java.util.Base64.getEncoder().encodeToString(silence(20));
            call.receive("{\"event\":\"media\",\"sequenceNumber\":\"3\",\"media\":{\"track\":\"inbound\","
                         + "\"chunk\":\"62\",\"timestamp\":\"1234\",\"payload\":\"" + payload + "\"},"
                         + "\"streamSid\":\"MZ1\"}");
            assertThat(call.lastFrameStampMillis(), is(1234L));
            call.receive("{\"event\":\"mark\",\"sequenceNumber\":\"4\",\"streamSid\":\"MZ1\","
                         + "\"mark\":{\"name\":\"unknown\"}}");
            assertThat(call.lastFrameStampMillis(), is(-1L));
        }
    }

    @Test
    void noRestReachesTheAudioOfTheNextDecision() {
        // With words known to be a finished sentence the end of a turn comes at the adaptive minimum (500 ms, not 600).
        for (String words : new String[] {null, "My name is Jane Doe."}) {
            for (TurnTaking turns : List.of(DEFAULTS, STREAMING, NO_SPECULATION)) {
                for (String name : CLIPS) {
                    assertNoRestReachesTheNextDecision(name + ", " + turns.speculation() + ", words " + words,
                                                       hear(turns, null, words, clip(name), silence(1500)));
                }
            }
        }
    }

    private static void assertNoRestReachesTheNextDecision(String what, List<Heard> heard) {
        int decision = -1;
        for (int i = heard.size() - 1; i >= 0; i--) {
            Heard h = heard.get(i);
            if (decision > i) {
                // Frame i is followed by (decision - i) frames up to and including the deciding one.
                assertThat(what + ": audio after frame " + i + " up to the decision at frame " + decision + " (ms)",
                           h.mayRestMs(), lessThanOrEqualTo((decision - i) * 20));
            }
            if (h.decides()) {
                decision = i;
            }
        }
    }

    @Test
    void theSilenceBeforeTheEndOfATurnIsMostlyRestedThrough() {
        List<Heard> heard = hear(DEFAULTS, null, clip("my_name"), silence(1500));
        int finished = first(heard, CallInput.CallerFinished.class);
        int lastSpeech = finished - 1;
        while (!heard.get(lastSpeech).speech()) {
            lastSpeech--;
        }
        List<Heard> silence = heard.subList(lastSpeech + 1, finished);
        long resting = silence.stream().filter(Heard::rests).count();
        assertThat("frames of the final silence after which the reader rests", resting, greaterThan(0L));
        // Each rest takes several frames at once: the silence costs far fewer wake-ups than it has frames.
        assertThat(wakeUps(silence), lessThan(silence.size() / 2));
    }

    @Test
    void inMidSentenceTheReaderRests() {
        List<Heard> heard = hear(DEFAULTS, null, clip("my_name"), silence(1500));
        int talking = first(heard, CallInput.CallerTalking.class);
        int finished = first(heard, CallInput.CallerFinished.class);
        assertThat(heard.subList(talking, finished).stream().filter(Heard::rests).count(), greaterThan(0L));
    }

    @Test
    void aLineTooNoisyToTellSpeechByLevelIsHeardFrameByFrameOnceTheCallerTalks() {
        // A steady tone: the detector calls it speech, but its level does not vary as speech does.
        List<Heard> heard = hear(DEFAULTS, null, silence(500), TestAudio.toneMuLaw(1000), silence(200));
        int talking = first(heard, CallInput.CallerTalking.class);
        CallInput.CallerTalking posted = (CallInput.CallerTalking) heard.get(talking).posted().getFirst();
        assertThat(posted.speechLike(), is(false));
        List<Heard> afterwards = heard.subList(talking, talking + 30);
        assertThat(afterwards.stream().allMatch(Heard::speech), is(true));
        for (Heard h : afterwards) {
            assertThat("frame " + h.index(), h.mayRestMs(), is(0));
        }
    }

    @Test
    void withALiveRecogniserTheStartOfSpeechAndTheTurnsSilencesAreSentFrameByFrame() {
        List<Heard> heard = hear(DEFAULTS, new SilentStream(), clip("my_name"), silence(1500));
        int talking = first(heard, CallInput.CallerTalking.class);
        int finished = first(heard, CallInput.CallerFinished.class);
        for (Heard h : heard.subList(0, finished)) {
            boolean onset = h.index() < talking && h.speech();
            boolean turnSilence = h.inTurn() && !h.speech();
            if (onset || turnSilence) {
                assertThat("frame " + h.index(), h.mayRestMs(), is(0));
            }
        }
        assertThat("still rests in mid-sentence",
                   heard.subList(talking, finished).stream().filter(Heard::rests).count(), greaterThan(0L));
    }

    @Test
    void onceTheTurnHasEndedTheReaderRestsAgain() {
        List<Heard> heard = hear(DEFAULTS, null, clip("my_name"), silence(1500));
        int finished = first(heard, CallInput.CallerFinished.class);
        assertThat(heard.get(finished).rests(), is(true));
        assertThat(heard.getLast().mayRestMs(), greaterThanOrEqualTo(REST_MS + 20));
    }

    /** Frames read by a reader that rests as {@link Heard#rests()} says: one wake-up per rest or unrested frame. */
    private static int wakeUps(List<Heard> frames) {
        int wakeUps = 0;
        int i = 0;
        while (i < frames.size()) {
            wakeUps++;
            Heard h = frames.get(i);
            i += Math.max(1, h.restMs() / 20);
        }
        return wakeUps;
    }

    private static List<Heard> hear(TurnTaking turns, SpeechStream stream, byte[]... parts) {
        return hear(turns, stream, null, parts);
    }

    /** Hears {@code parts} frame by frame; {@code words}: what a recogniser made of the turn so far (null: none). */
    private static List<Heard> hear(TurnTaking turns, SpeechStream stream, String words, byte[]... parts) {
        List<CallInput> posted = new ArrayList<>();
        Hearing hearing = new Hearing(turns, 8 * 30_000, posted::add);
        hearing.attach(stream);
        hearing.words(words);
        List<Heard> heard = new ArrayList<>();
        VoiceActivityDetector vad = new VoiceActivityDetector(VadSettings.defaults());
        for (byte[] audio : parts) {
            for (int i = 0; i + 160 <= audio.length; i += 160) {
                byte[] frame = Arrays.copyOfRange(audio, i, i + 160);
                int before = posted.size();
                hearing.frame(frame);
                heard.add(new Heard(heard.size(), vad.isSpeech(frame, 0, frame.length), hearing.callerInTurn(),
                                    hearing.audioBeforeNextDecisionMs(),
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

    private static TurnTaking withSpeculation(TurnTaking.Speculation speculation) {
        TurnTaking d = TurnTaking.defaults();
        return new TurnTaking(d.endOfTurn(), d.minSpeech(), d.interruptAfter(), d.interruptible(), d.repromptAfter(),
                              d.maxCallLength(), speculation);
    }

    /** A recogniser that takes audio and says nothing. */
    private static final class SilentStream implements SpeechStream {
        @Override
        public void audio(byte[] mulaw) {
        }

        @Override
        public void finalizeNow() {
        }

        @Override
        public void close() {
        }

        @Override
        public double audioSeconds() {
            return 0;
        }

        @Override
        public int finalizes() {
            return 0;
        }
    }
}
