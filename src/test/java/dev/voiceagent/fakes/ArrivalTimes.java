package dev.voiceagent.fakes;

/**
 * Increasing {@code System.nanoTime()} stamps, the newest {@code max} kept, searchable by time.
 * Stored as a growable {@code long[]} ring so that a caller receiving 50 frames a second for minutes
 * stays within a fixed, small footprint. Not thread-safe; the owner locks.
 */
final class ArrivalTimes {

    private static final int INITIAL_CAPACITY = 256;

    private final int max;
    private long[] ring;
    private int head;
    private int size;

    /** Keeps at most {@code max} stamps. */
    ArrivalTimes(int max) {
        this.max = max;
        this.ring = new long[Math.min(INITIAL_CAPACITY, max)];
    }

    /** Records a stamp; must not be earlier than the previous one. */
    void add(long nanos) {
        if (size == ring.length) {
            if (ring.length < max) {
                long[] bigger = new long[Math.min(ring.length * 2, max)];
                for (int i = 0; i < size; i++) {
                    bigger[i] = get(i);
                }
                ring = bigger;
                head = 0;
            } else {
                head = (head + 1) % ring.length;
                size--;
            }
        }
        ring[(head + size) % ring.length] = nanos;
        size++;
    }

    /** The earliest retained stamp at or after {@code nanos}, or -1. */
    long firstAtOrAfter(long nanos) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (get(mid) - nanos < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo < size ? get(lo) : -1;
    }

    /** The newest stamp, or -1. */
    long last() {
        return size == 0 ? -1 : get(size - 1);
    }

    private long get(int i) {
        return ring[(head + i) % ring.length];
    }
}
