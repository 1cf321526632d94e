package dev.voiceagent.audio;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Cuts audio that arrives in arbitrary chunks (as a speech synthesizer streams it) into fixed-size frames,
 * so that playback can be paced and interrupted frame by frame. Bytes that do not fill a frame wait for the
 * next chunk.
 *
 * <p>One instance per stream; not thread-safe.
 */
public final class FrameSplitter {

    private final byte[] pending;
    private int pendingLength;

    /** @param frameBytes size of each emitted frame, e.g. 160 for 20 ms of 8 kHz mu-law */
    public FrameSplitter(int frameBytes) {
        if (frameBytes <= 0) {
            throw new IllegalArgumentException("frameBytes must be positive: " + frameBytes);
        }
        this.pending = new byte[frameBytes];
    }

    /**
     * Adds {@code len} bytes from {@code off} and hands every frame they complete to {@code frameOut}, in
     * order. Each frame is a new array the consumer may keep.
     */
    public void push(byte[] b, int off, int len, Consumer<byte[]> frameOut) {
        Objects.checkFromIndexSize(off, len, b.length);
        int frameBytes = pending.length;
        int pos = off;
        int end = off + len;
        if (pendingLength > 0) {
            int n = Math.min(end - pos, frameBytes - pendingLength);
            System.arraycopy(b, pos, pending, pendingLength, n);
            pendingLength += n;
            pos += n;
            if (pendingLength < frameBytes) {
                return;
            }
            pendingLength = 0;
            frameOut.accept(pending.clone());
        }
        for (; end - pos >= frameBytes; pos += frameBytes) {
            frameOut.accept(Arrays.copyOfRange(b, pos, pos + frameBytes));
        }
        System.arraycopy(b, pos, pending, 0, end - pos);
        pendingLength = end - pos;
    }

    /** The bytes that did not fill a frame (possibly none); they are forgotten. */
    public byte[] flush() {
        byte[] rest = Arrays.copyOf(pending, pendingLength);
        pendingLength = 0;
        return rest;
    }

    /** How many bytes are waiting for the rest of their frame. */
    public int pendingBytes() {
        return pendingLength;
    }
}
