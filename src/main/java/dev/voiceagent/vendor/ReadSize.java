package dev.voiceagent.vendor;

/**
 * How much to ask for in each read of a vendor's response body. Helidon's client (4.5.0,
 * {@code ReadableEntityBase.RequestingInputStream}) allocates a fresh buffer of the requested length for every read
 * of a body, however little has arrived; a streamed answer arrives in small pieces (a model's token events of a
 * hundred bytes or so, 20 ms apart), so a reader asking for 8 KB at a time (as {@code InputStreamReader} does)
 * allocated 8 KB per token. Reads therefore ask for about what the last ones got (with 200 calls talking, the
 * server's allocation fell from 50.2 to 44.9 MB/s by the GC log; loadtest/README.md): the size doubles while reads
 * come back full and halves when one comes back less than a quarter full, between {@link #MIN} and {@link #MAX},
 * never more than the caller asked.
 *
 * <p>One per body; not thread-safe (a body is read by one thread).
 */
final class ReadSize {

    /** Smallest read asked for: a model's token event fits. */
    static final int MIN = 256;
    /** Largest read asked for: bulk audio comes in reads of this size. */
    static final int MAX = 16 * 1024;

    private int size = 2 * MIN;

    /** How much to ask for when the caller has room for {@code room} bytes. */
    int ask(int room) {
        return Math.min(room, size);
    }

    /** A read that asked for {@code asked} bytes returned {@code got} (-1 at the end). */
    void got(int asked, int got) {
        if (got >= asked && asked == size) {
            size = Math.min(MAX, size * 2);
        } else if (got >= 0 && got < asked / 4) {
            size = Math.max(MIN, size / 2);
        }
    }
}
