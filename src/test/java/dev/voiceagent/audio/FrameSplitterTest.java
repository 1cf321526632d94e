package dev.voiceagent.audio;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** How a stream of arbitrary chunks becomes fixed-size frames without losing or reordering a byte. */
class FrameSplitterTest {

    private final Random random = new Random(160);
    private final FrameSplitter splitter = new FrameSplitter(160);
    private final List<byte[]> frames = new ArrayList<>();

    @Test
    void chunksOfAnySizeComeOutAsFullFramesInOrderWithTheRestOnFlush() {
        byte[] stream = randomBytes(10_007);
        int pos = 0;
        while (pos < stream.length) {
            int len = Math.min(stream.length - pos, random.nextInt(500));
            splitter.push(stream, pos, len, frames::add);
            pos += len;
        }
        byte[] rest = splitter.flush();

        assertThat(frames, hasSize(10_007 / 160));
        assertThat(frames.stream().map(frame -> frame.length).toList(), everyItem(is(160)));
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        frames.forEach(joined::writeBytes);
        joined.writeBytes(rest);
        assertArrayEquals(stream, joined.toByteArray());
        assertThat(rest.length, is(10_007 % 160));
    }

    @Test
    void aChunkOfExactlyOneFrameIsEmittedAtOnce() {
        byte[] chunk = randomBytes(160);

        splitter.push(chunk, 0, 160, frames::add);

        assertThat(frames, hasSize(1));
        assertArrayEquals(chunk, frames.get(0));
        assertThat(splitter.pendingBytes(), is(0));
    }

    @Test
    void smallChunksWaitUntilTheyFillAFrame() {
        byte[] stream = randomBytes(160);

        splitter.push(stream, 0, 100, frames::add);
        assertThat(frames, is(empty()));
        assertThat(splitter.pendingBytes(), is(100));

        splitter.push(stream, 100, 60, frames::add);
        assertThat(frames, hasSize(1));
        assertArrayEquals(stream, frames.get(0));
    }

    @Test
    void onlyTheGivenRangeOfTheArrayIsUsed() {
        byte[] array = randomBytes(1_000);

        splitter.push(array, 300, 400, frames::add);

        assertThat(frames, hasSize(2));
        assertArrayEquals(Arrays.copyOfRange(array, 300, 460), frames.get(0));
        assertArrayEquals(Arrays.copyOfRange(array, 460, 620), frames.get(1));
        assertArrayEquals(Arrays.copyOfRange(array, 620, 700), splitter.flush());
    }

    @Test
    void framesDoNotChangeWhenTheCallerReusesItsChunkArray() {
        byte[] chunk = randomBytes(240);
        splitter.push(chunk, 0, 240, frames::add);
        byte[] expected = Arrays.copyOf(chunk, 160);

        Arrays.fill(chunk, (byte) 0);
        splitter.push(chunk, 0, 240, frames::add);

        assertArrayEquals(expected, frames.get(0));
        assertThat(frames, hasSize(3));
    }

    @Test
    void flushEmptiesTheRemainder() {
        splitter.push(randomBytes(50), 0, 50, frames::add);

        assertThat(splitter.flush().length, is(50));
        assertThat(splitter.flush().length, is(0));
        assertThat(splitter.pendingBytes(), is(0));
    }

    @Test
    void rejectsANonPositiveFrameSize() {
        assertThrows(IllegalArgumentException.class, () -> new FrameSplitter(0));
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
