package dev.voiceagent.audio;

import static dev.voiceagent.audio.Signals.FRAME_BYTES;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which frames count as speech, and how the noise floor behind that decision adapts to the line. */
class VoiceActivityDetectorTest {

    private final Random random = new Random(20240611L);
    private final VoiceActivityDetector vad = new VoiceActivityDetector(VadSettings.defaults());

    @Test
    void defaultsAreOnset10Hold6Minimum45Window1500Frame20() {
        assertThat(VadSettings.defaults(), is(new VadSettings(10.0, 6.0, -45.0, 1500, 20)));
    }

    @ParameterizedTest
    @ValueSource(doubles = {-60, -45, -30, -20})
    void steadyNoiseIsNeverSpeechFromTheFirstFrameOnFor10Seconds(double noiseDbfs) {
        byte[] noise = Signals.muLaw(Signals.whiteNoise(random, noiseDbfs, Signals.samples(10_000)));

        boolean[] speech = classify(noise);

        assertThat(count(speech, 0, speech.length), is(0));
    }

    @Test
    void speechOverDigitalSilenceIsDetected() {
        short[] silence = new short[Signals.samples(2_000)];
        short[] talk = Signals.speechLike(random, -20, Signals.samples(3_000));
        short[] pcm = Signals.concat(silence, talk, silence);

        boolean[] speech = classify(Signals.muLaw(pcm));

        int silenceFrames = silence.length / FRAME_BYTES;
        assertThat(count(speech, 0, silenceFrames), is(0));
        assertThat(fractionOfVoicedFramesDetected(talk, speech, silenceFrames), greaterThanOrEqualTo(0.95));
        assertThat(count(speech, speech.length - silenceFrames, speech.length), is(0));
    }

    @Test
    void speechOverNoiseTenDecibelsBelowItIsDetected() {
        short[] lead = Signals.whiteNoise(random, -30, Signals.samples(2_000));
        short[] talk = Signals.speechLike(random, -20, Signals.samples(3_000));
        short[] noisyTalk = Signals.mix(talk, Signals.whiteNoise(random, -30, talk.length));

        boolean[] speech = classify(Signals.muLaw(Signals.concat(lead, noisyTalk)));

        int firstTalkFrame = lead.length / FRAME_BYTES;
        assertThat(count(speech, 0, firstTalkFrame), is(0));
        assertThat(fractionOfVoicedFramesDetected(talk, speech, firstTalkFrame), greaterThanOrEqualTo(0.9));
    }

    @Test
    void floorRisesToALouderLineWithinTheWindow() {
        byte[] quiet = Signals.muLaw(Signals.whiteNoise(random, -50, Signals.samples(3_000)));
        byte[] loud = Signals.muLaw(Signals.whiteNoise(random, -30, Signals.samples(3_000)));

        classify(quiet);
        assertThat(vad.noiseFloorDbfs(), closeTo(-50, 2));
        double[] floors = floors(loud);

        // The minimum still remembers the quiet line half a window later; a window (+ one block) later it is gone.
        assertThat(floors[750 / 20], closeTo(-50, 2));
        assertThat(floors[1600 / 20], closeTo(-30, 2));
        assertThat(floors[floors.length - 1], closeTo(-30, 2));
    }

    @Test
    void floorDropsToAQuieterLineAtOnce() {
        classify(Signals.muLaw(Signals.whiteNoise(random, -30, Signals.samples(3_000))));
        assertThat(vad.noiseFloorDbfs(), closeTo(-30, 2));

        double[] floors = floors(Signals.muLaw(Signals.whiteNoise(random, -50, Signals.samples(200))));

        assertThat(floors[0], closeTo(-50, 2));
    }

    @Test
    void floorStaysAtTheBackgroundThroughFiveSecondsOfContinuousTalk() {
        short[] lead = Signals.whiteNoise(random, -50, Signals.samples(2_000));
        short[] talk = Signals.speechLike(random, -20, Signals.samples(5_000));
        short[] noisyTalk = Signals.mix(talk, Signals.whiteNoise(random, -50, talk.length));
        classify(Signals.muLaw(lead));

        byte[] talkMuLaw = Signals.muLaw(noisyTalk);
        double highestFloor = Double.NEGATIVE_INFINITY;
        boolean[] speech = new boolean[talkMuLaw.length / FRAME_BYTES];
        for (int f = 0; f < speech.length; f++) {
            speech[f] = vad.isSpeech(talkMuLaw, f * FRAME_BYTES, FRAME_BYTES);
            highestFloor = Math.max(highestFloor, vad.noiseFloorDbfs());
        }

        assertThat(highestFloor, lessThan(-47.0));
        short[] lastSecond = new short[Signals.samples(1_000)];
        System.arraycopy(talk, talk.length - lastSecond.length, lastSecond, 0, lastSecond.length);
        boolean[] lastSecondSpeech = new boolean[lastSecond.length / FRAME_BYTES];
        System.arraycopy(speech, speech.length - lastSecondSpeech.length, lastSecondSpeech, 0,
                lastSecondSpeech.length);
        assertThat(fractionOfVoicedFramesDetected(lastSecond, lastSecondSpeech, 0), greaterThanOrEqualTo(0.95));
    }

    @Test
    void floorOfDigitalSilenceIsHeldAtMinus70SoFaintClicksAreNotSpeech() {
        byte[] digitalSilence = new byte[Signals.samples(1_000)];
        Arrays.fill(digitalSilence, MuLaw.SILENCE);
        classify(digitalSilence);
        assertThat(vad.noiseFloorDbfs(), is(VoiceActivityDetector.LOWEST_FLOOR_DBFS));

        boolean click = vad.isSpeech(tone(-50), 0, FRAME_BYTES);

        assertThat(vad.lastLevelDbfs(), closeTo(-50, 0.5));
        assertThat(click, is(false));
    }

    @Test
    void aFrameBetweenHoldAndOnsetMarginsContinuesSpeechButDoesNotStartIt() {
        for (int i = 0; i < 100; i++) {
            vad.isSpeech(tone(-50), 0, FRAME_BYTES);
        }
        byte[] between = tone(-42.5); // 7.5 dB above the floor: above the 6 dB hold, below the 10 dB onset

        boolean afterSilence = vad.isSpeech(between, 0, FRAME_BYTES);
        boolean onset = vad.isSpeech(tone(-30), 0, FRAME_BYTES);
        boolean afterSpeech = vad.isSpeech(between, 0, FRAME_BYTES);

        assertThat(vad.noiseFloorDbfs(), closeTo(-50, 0.5));
        assertThat(afterSilence, is(false));
        assertThat(onset, is(true));
        assertThat(afterSpeech, is(true));
    }

    @Test
    void reportsTheLevelOfTheLatestFrame() {
        vad.isSpeech(tone(-24), 0, FRAME_BYTES);

        assertThat(vad.lastLevelDbfs(), closeTo(-24, 0.3));
    }

    @Test
    void rejectsNegativeMarginsAndAWindowShorterThanAFrame() {
        assertThrows(IllegalArgumentException.class, () -> new VadSettings(-1, 6, -45, 1500, 20));
        assertThrows(IllegalArgumentException.class, () -> new VadSettings(10, 6, -45, 10, 20));
        assertThrows(IllegalArgumentException.class, () -> new VadSettings(10, 6, -45, 1500, 0));
    }

    /** One 20 ms frame of a 1 kHz tone at {@code dbfs}: a frame whose level is known exactly. */
    private static byte[] tone(double dbfs) {
        return Signals.muLaw(Signals.sine(1000, dbfs, Signals.RATE, FRAME_BYTES));
    }

    private boolean[] classify(byte[] mulaw) {
        boolean[] speech = new boolean[mulaw.length / FRAME_BYTES];
        for (int f = 0; f < speech.length; f++) {
            speech[f] = vad.isSpeech(mulaw, f * FRAME_BYTES, FRAME_BYTES);
        }
        return speech;
    }

    private double[] floors(byte[] mulaw) {
        double[] floors = new double[mulaw.length / FRAME_BYTES];
        for (int f = 0; f < floors.length; f++) {
            vad.isSpeech(mulaw, f * FRAME_BYTES, FRAME_BYTES);
            floors[f] = vad.noiseFloorDbfs();
        }
        return floors;
    }

    private static int count(boolean[] flags, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            n += flags[i] ? 1 : 0;
        }
        return n;
    }

    /**
     * Of the frames where the clean talk is within 6 dB of its overall RMS (the body of each syllable, not its
     * fade in and out), the share classified as speech. {@code offset} is the frame at which the talk starts.
     */
    private static double fractionOfVoicedFramesDetected(short[] cleanTalk, boolean[] speech, int offset) {
        double talkDbfs = Levels.dbfs(cleanTalk, cleanTalk.length);
        int voiced = 0;
        int detected = 0;
        for (int f = 0; f < cleanTalk.length / FRAME_BYTES; f++) {
            if (Signals.frameDbfs(cleanTalk, f) >= talkDbfs - 6) {
                voiced++;
                detected += speech[offset + f] ? 1 : 0;
            }
        }
        assertThat("the test signal has voiced frames", voiced, greaterThan(cleanTalk.length / FRAME_BYTES / 2));
        return (double) detected / voiced;
    }
}
