package dev.voiceagent.audio;

import java.util.Arrays;
import java.util.Objects;

/**
 * Collects the mu-law audio of the caller's current turn, to hand to speech-to-text when the turn ends.
 *
 * <p>Speech is only recognised some way into the first word, so the buffer always keeps the latest
 * {@code preRollBytes} of audio in a small ring and starts each utterance with it; offer each frame
 * <em>before</em> asking whether speech started so that the frame that tipped the decision is in the pre-roll.
 * The utterance is capped at {@code maxBytes} (a caller who talks for minutes must not grow the heap without
 * bound), and its array is dropped when the utterance is finished or discarded, so an idle call holds only the
 * ring.
 *
 * <p>One instance per call; not thread-safe.
 */
public final class UtteranceBuffer {

    // Enough for a few seconds at 8000 bytes/s; longer turns grow by doubling.
    private static final int INITIAL_CAPACITY = 32 * 1024;

    private final byte[] ring;
    private final int maxBytes;
    private int ringNext;
    private int ringFilled;

    private byte[] utterance;
    private int recorded;

    /**
     * @param preRollBytes how much audio before {@link #begin()} each utterance starts with
     * @param maxBytes     the most audio one utterance holds; later audio is dropped
     */
    public UtteranceBuffer(int preRollBytes, int maxBytes) {
        if (preRollBytes < 0 || maxBytes <= 0 || preRollBytes > maxBytes) {
            throw new IllegalArgumentException("need 0 <= preRollBytes <= maxBytes and maxBytes > 0: "
                    + preRollBytes + ", " + maxBytes);
        }
        this.ring = new byte[preRollBytes];
        this.maxBytes = maxBytes;
    }

    /** Takes {@code len} bytes of audio from {@code off}: always into the pre-roll, and into the utterance. */
    public void offer(byte[] frame, int off, int len) {
        Objects.checkFromIndexSize(off, len, frame.length);
        if (utterance != null) {
            append(frame, off, len);
        }
        remember(frame, off, len);
    }

    /** Starts an utterance with the pre-roll. Does nothing when one is already being recorded. */
    public void begin() {
        if (utterance != null) {
            return;
        }
        utterance = new byte[Math.min(maxBytes, Math.max(INITIAL_CAPACITY, ring.length))];
        recorded = 0;
        int oldest = ringFilled < ring.length ? 0 : ringNext;
        int firstPart = Math.min(ringFilled, ring.length - oldest);
        append(ring, oldest, firstPart);
        append(ring, 0, ringFilled - firstPart);
    }

    /** The recorded utterance (a copy owned by the caller); stops recording. Empty when none was recorded. */
    public byte[] finish() {
        byte[] result = utterance == null ? new byte[0] : Arrays.copyOf(utterance, recorded);
        discard();
        return result;
    }

    /**
     * A copy of the utterance recorded so far, while recording goes on: what a speculative transcription
     * sends while the caller may still continue. Empty when not recording.
     */
    public byte[] snapshot() {
        return utterance == null ? new byte[0] : Arrays.copyOf(utterance, recorded);
    }

    /** Drops the utterance being recorded, if any, and stops recording. The pre-roll is kept. */
    public void discard() {
        utterance = null;
        recorded = 0;
    }

    /** Whether an utterance is being recorded. */
    public boolean recording() {
        return utterance != null;
    }

    /** Bytes in the utterance being recorded, pre-roll included; 0 when not recording. */
    public int recordedBytes() {
        return recorded;
    }

    /** Whether the utterance being recorded has reached {@code maxBytes} and drops further audio. */
    public boolean isFull() {
        return utterance != null && recorded == maxBytes;
    }

    private void append(byte[] b, int off, int len) {
        int n = Math.min(len, maxBytes - recorded);
        if (n <= 0) {
            return;
        }
        if (recorded + n > utterance.length) {
            int capacity = (int) Math.min(maxBytes, Math.max((long) recorded + n, 2L * utterance.length));
            utterance = Arrays.copyOf(utterance, capacity);
        }
        System.arraycopy(b, off, utterance, recorded, n);
        recorded += n;
    }

    private void remember(byte[] b, int off, int len) {
        int size = ring.length;
        if (size == 0) {
            return;
        }
        if (len >= size) {
            System.arraycopy(b, off + len - size, ring, 0, size);
            ringNext = 0;
            ringFilled = size;
            return;
        }
        int firstPart = Math.min(len, size - ringNext);
        System.arraycopy(b, off, ring, ringNext, firstPart);
        System.arraycopy(b, off + firstPart, ring, 0, len - firstPart);
        ringNext = (ringNext + len) % size;
        ringFilled = Math.min(size, ringFilled + len);
    }
}
