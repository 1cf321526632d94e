package dev.voiceagent.audio;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What audio ends up in the utterance handed to speech-to-text, and how much of it is kept. */
class UtteranceBufferTest {

    private final Random random = new Random(42);

    @Test
    void anUtteranceStartsWithTheAudioJustBeforeBegin() {
        UtteranceBuffer buffer = new UtteranceBuffer(480, 80_000);
        byte[] call = randomBytes(2_000);
        offerInFrames(buffer, call, 0, 1_600, 160);

        buffer.begin();
        offerInFrames(buffer, call, 1_600, 400, 160);

        assertArrayEquals(Arrays.copyOfRange(call, 1_600 - 480, 2_000), buffer.finish());
    }

    @Test
    void preRollIsWhateverArrivedWhenTheCallIsYoungerThanIt() {
        UtteranceBuffer buffer = new UtteranceBuffer(480, 80_000);
        byte[] call = randomBytes(320);
        offerInFrames(buffer, call, 0, 320, 160);

        buffer.begin();

        assertThat(buffer.recordedBytes(), is(320));
        assertArrayEquals(call, buffer.finish());
    }

    @Test
    void preRollKeepsByteOrderWhenChunksDoNotDivideIt() {
        UtteranceBuffer buffer = new UtteranceBuffer(500, 80_000);
        byte[] call = randomBytes(5_000);
        int pos = 0;
        while (pos < call.length) {
            int len = Math.min(call.length - pos, 1 + random.nextInt(700));
            buffer.offer(call, pos, len);
            pos += len;
        }

        buffer.begin();

        assertArrayEquals(Arrays.copyOfRange(call, 4_500, 5_000), buffer.finish());
    }

    @Test
    void audioIsOnlyRecordedBetweenBeginAndFinish() {
        UtteranceBuffer buffer = new UtteranceBuffer(0, 80_000);
        byte[] call = randomBytes(960);
        offerInFrames(buffer, call, 0, 320, 160);
        assertThat(buffer.recording(), is(false));
        assertThat(buffer.recordedBytes(), is(0));

        buffer.begin();
        offerInFrames(buffer, call, 320, 320, 160);
        assertThat(buffer.recording(), is(true));
        byte[] utterance = buffer.finish();
        offerInFrames(buffer, call, 640, 320, 160);

        assertArrayEquals(Arrays.copyOfRange(call, 320, 640), utterance);
        assertThat(buffer.recording(), is(false));
        assertThat(buffer.recordedBytes(), is(0));
    }

    @Test
    void anUtteranceStopsGrowingAtTheMaximum() {
        UtteranceBuffer buffer = new UtteranceBuffer(160, 1_000);
        byte[] call = randomBytes(3_000);
        offerInFrames(buffer, call, 0, 160, 160);
        buffer.begin();
        offerInFrames(buffer, call, 160, 800, 160);
        assertThat(buffer.isFull(), is(false));

        offerInFrames(buffer, call, 960, 2_040, 160);

        assertThat(buffer.isFull(), is(true));
        assertThat(buffer.recordedBytes(), is(1_000));
        assertArrayEquals(Arrays.copyOf(call, 1_000), buffer.finish());
    }

    @Test
    void aLongUtteranceIsKeptWhole() {
        UtteranceBuffer buffer = new UtteranceBuffer(2_400, 8_000 * 60);
        byte[] call = randomBytes(8_000 * 30);
        buffer.begin();

        offerInFrames(buffer, call, 0, call.length, 160);

        assertArrayEquals(call, buffer.finish());
    }

    @Test
    void discardDropsTheUtteranceButKeepsThePreRoll() {
        UtteranceBuffer buffer = new UtteranceBuffer(320, 80_000);
        byte[] call = randomBytes(960);
        offerInFrames(buffer, call, 0, 480, 160);
        buffer.begin();
        offerInFrames(buffer, call, 480, 160, 160);

        buffer.discard();
        assertThat(buffer.recording(), is(false));
        assertThat(buffer.finish().length, is(0));

        offerInFrames(buffer, call, 640, 320, 160);
        buffer.begin();
        assertArrayEquals(Arrays.copyOfRange(call, 640, 960), buffer.finish());
    }

    @Test
    void beginWhileRecordingKeepsTheUtteranceSoFar() {
        UtteranceBuffer buffer = new UtteranceBuffer(160, 80_000);
        byte[] call = randomBytes(640);
        offerInFrames(buffer, call, 0, 160, 160);
        buffer.begin();
        offerInFrames(buffer, call, 160, 320, 160);

        buffer.begin();
        offerInFrames(buffer, call, 480, 160, 160);

        assertArrayEquals(call, buffer.finish());
    }

    @Test
    void finishHandsOverACopyTheBufferNoLongerTouches() {
        UtteranceBuffer buffer = new UtteranceBuffer(0, 80_000);
        byte[] frame = randomBytes(160);
        buffer.begin();
        buffer.offer(frame, 0, frame.length);
        byte[] first = buffer.finish();
        byte[] snapshot = first.clone();

        buffer.begin();
        buffer.offer(randomBytes(160), 0, 160);
        buffer.finish();

        assertArrayEquals(snapshot, first);
    }

    @Test
    void rejectsAPreRollLargerThanTheMaximum() {
        assertThrows(IllegalArgumentException.class, () -> new UtteranceBuffer(2_000, 1_000));
        assertThrows(IllegalArgumentException.class, () -> new UtteranceBuffer(0, 0));
    }

    private static void offerInFrames(UtteranceBuffer buffer, byte[] audio, int from, int length, int frame) {
        for (int pos = from; pos < from + length; pos += frame) {
            buffer.offer(audio, pos, Math.min(frame, from + length - pos));
        }
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    @Test
    void snapshotCopiesTheUtteranceSoFarWithoutStoppingIt() {
        UtteranceBuffer buffer = new UtteranceBuffer(0, 1000);
        assertThat(buffer.snapshot().length, is(0));
        buffer.begin();
        buffer.offer(new byte[] {1, 2, 3}, 0, 3);
        byte[] first = buffer.snapshot();
        buffer.offer(new byte[] {4}, 0, 1);
        assertArrayEquals(new byte[] {1, 2, 3}, first);
        assertThat(buffer.recording(), is(true));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, buffer.finish());
    }
}
