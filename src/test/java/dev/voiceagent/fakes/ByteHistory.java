package dev.voiceagent.fakes;

import java.util.Arrays;

/**
 * The most recent bytes of a stream, up to a fixed cap (a ring buffer that grows on demand).
 *
 * <p>Grows lazily so that a short call costs a few kilobytes, not the full cap: a load test may
 * keep hundreds of callers alive at once. Not thread-safe; the owner locks.
 */
final class ByteHistory {

    private static final int INITIAL_CAPACITY = 8 * 1024;

    private final int maxBytes;
    private byte[] ring;
    private int head;
    private int size;

    /** A history that keeps at most {@code maxBytes} (the newest ones). */
    ByteHistory(int maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.ring = new byte[Math.min(INITIAL_CAPACITY, maxBytes)];
    }

    /** Appends {@code src[offset, offset + length)}, dropping the oldest bytes beyond the cap. */
    void append(byte[] src, int offset, int length) {
        if (length > maxBytes) {
            offset += length - maxBytes;
            length = maxBytes;
        }
        if (size + length > ring.length && ring.length < maxBytes) {
            grow(size + length);
        }
        for (int i = 0; i < length; i++) {
            int tail = (head + size) % ring.length;
            ring[tail] = src[offset + i];
            if (size == ring.length) {
                head = (head + 1) % ring.length;
            } else {
                size++;
            }
        }
    }

    /** The retained bytes, oldest first. */
    byte[] toArray() {
        byte[] out = new byte[size];
        int first = Math.min(size, ring.length - head);
        System.arraycopy(ring, head, out, 0, first);
        System.arraycopy(ring, 0, out, first, size - first);
        return out;
    }

    private void grow(int needed) {
        int capacity = ring.length;
        while (capacity < needed && capacity < maxBytes) {
            capacity = (int) Math.min((long) capacity * 2, maxBytes);
        }
        byte[] bigger = toArray();
        ring = Arrays.copyOf(bigger, capacity);
        head = 0;
    }
}
