package dev.voiceagent.fakes;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The caller's side of the line, frame by frame. */
class InboundLineTest {

    private static final byte SILENCE = (byte) 0xFF;

    private final InboundLine line = new InboundLine();

    @Test
    void silenceByDefault() {
        InboundLine.Frame frame = line.nextFrame();

        assertThat(frame.payload(), is(filled(160, SILENCE)));
        assertThat(frame.endsSpeech(), is(false));
    }

    @Test
    void speechIsSentExactlyThenPaddedAndCompletesWithItsLastFrame() {
        CompletableFuture<Void> spoken = line.speak(filled(200, (byte) 1));

        InboundLine.Frame first = line.nextFrame();
        first.finish();
        assertThat(spoken.isDone(), is(false));
        InboundLine.Frame second = line.nextFrame();
        assertThat(second.endsSpeech(), is(true));
        assertThat(Arrays.copyOfRange(second.payload(), 0, 40), is(filled(40, (byte) 1)));
        assertThat(Arrays.copyOfRange(second.payload(), 40, 160), is(filled(120, SILENCE)));
        second.finish();
        assertThat(spoken.isDone(), is(true));
    }

    @Test
    void queuedClipsAreContiguous() {
        line.speak(filled(100, (byte) 1));
        CompletableFuture<Void> second = line.speak(filled(100, (byte) 2));

        InboundLine.Frame frame = line.nextFrame();
        assertThat(Arrays.copyOfRange(frame.payload(), 100, 160), is(filled(60, (byte) 2)));
        frame.finish();
        assertThat(second.isDone(), is(false));
        line.nextFrame().finish();
        assertThat(second.isDone(), is(true));
    }

    @Test
    void backgroundLoopsWhenNotSpeaking() {
        line.background(new byte[] {1, 2, 3});

        byte[] payload = line.nextFrame().payload();
        assertThat(payload[0], is((byte) 1));
        assertThat(payload[3], is((byte) 1));
        assertThat(payload[159], is((byte) 1));
        assertThat(line.nextFrame().payload()[0], is((byte) 2));
    }

    @Test
    void hangUpFailsPendingAndLaterSpeech() {
        CompletableFuture<Void> pending = line.speak(filled(400, (byte) 1));
        line.hangUp();

        assertThat(pending.isCompletedExceptionally(), is(true));
        assertThat(line.speak(filled(1, (byte) 1)).isCompletedExceptionally(), is(true));
        assertThat(line.speaking(), is(false));
    }

    private static byte[] filled(int length, byte value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        return bytes;
    }
}
