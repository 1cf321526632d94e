package dev.voiceagent.call;

/**
 * How long a media socket's reader thread rests after a frame, so that while nothing hangs on the next frames
 * (the caller is quiet, or in the middle of a sentence) it takes Twilio's frames a few at a time instead of waking
 * for each one.
 *
 * <p>Twilio sends a frame every 20 ms, talking or not. Waking the reader for each (a poller wake-up, a virtual
 * thread unparked onto a carrier) is most of what a connected call costs the server. The voice detector and the
 * turn timing count audio time, not wall-clock time, so frames read in a batch give the same decisions. The call
 * says how much audio may wait before it could decide anything on it ({@link SocketCall#readerMayRestMs()}: the
 * caller must talk a while before a barge-in, be silent a while before a pause or the end of a turn); a rest ends
 * a frame before that, so the deciding frame is read as it arrives, and where less than {@link #MIN_REST_NANOS}
 * would be left the reader takes every frame as it comes.
 *
 * <p>A rest is taken once the reader has caught up: after a frame it had to wait for (it arrived after the reader
 * returned to the socket), or once it has read as many frames as Twilio sent (one every 20 ms) since the last frame
 * known to be the newest: one it waited for, or one heard frame by frame. Frames still waiting are read at once,
 * back to back, so the reader never falls behind. The count runs across rests, not from each rest's start: counted
 * from there, a rest that is not a whole number of frames long (or a frame a little late) leaves one frame
 * unread each time, and the reader drifts behind the call by a frame per rest.
 * A quiet call then costs about one wake-up per rest instead of one per frame.
 *
 * <p>The count assumes frames arrive evenly. They do not quite: a network (or a load generator) delivers some late
 * and the next ones bunched behind them, and a frame the reader waited for may itself have been late, so counting
 * from it the reader can believe it has caught up while frames wait in the socket, then rest that much too long
 * and read a deciding frame late. Twilio stamps every frame with its place in the stream ({@code media.timestamp},
 * ms from the start), so the reader also tracks how far behind the stream it is: the time a frame is read less its
 * stamp, against the least such transit seen lately (a frame read as it arrived). A reader more than a frame behind
 * has not caught up, and a rest is shortened by what it is behind. The least transit may rise by
 * {@link #TRANSIT_DRIFT_NANOS} a frame, so a route that got slower (or stamps that run slow) is followed instead of
 * stopping every rest. Messages without a stamp fall back on the count alone.
 *
 * <p>One instance per socket, used only by its reader thread. Times are {@link System#nanoTime()} values passed
 * in by the caller (compared by subtraction); this class reads no clock.
 */
final class ReaderPacing {

    /** A frame that took longer than this to arrive was waited for; a quicker one was already there. */
    static final long WAITED_NANOS = 2_000_000;
    /** Twilio sends one media message every 20 ms. */
    static final long FRAME_NANOS = 20_000_000;
    /** A shorter rest saves less than a wake-up's worth: read frame by frame instead. */
    static final long MIN_REST_NANOS = 2 * FRAME_NANOS;
    /** How fast the least transit may rise while no frame is read as it arrives: 1 ms a second of frames. */
    static final long TRANSIT_DRIFT_NANOS = 20_000;

    private final long restNanos;
    private boolean anyFrame;
    private long readingAgainAt;
    /** When the newest frame known to be caught up with was read. */
    private long caughtUpAt;
    /** Frames read since {@link #caughtUpAt}. */
    private long readSince;
    private boolean anyStamp;
    /** The least (read time - stamp) seen lately, in ns: a frame read with this transit was the newest. */
    private long leastTransit;

    /** @param restNanos the longest rest, when the call may wait that long; 0: never rest */
    ReaderPacing(long restNanos) {
        if (restNanos < 0) {
            throw new IllegalArgumentException("restNanos must be >= 0: " + restNanos);
        }
        this.restNanos = restNanos;
    }

    /**
     * Called once a frame has been handled, at {@code nowNanos}.
     *
     * @param stampMillis  the frame's place in the stream, ms from its start ({@code media.timestamp}); -1: not a
     *                     frame, or none given
     * @param mayWaitNanos how much audio the call can wait for before it could decide on it, in ns
     *                     ({@link SocketCall#readerMayRestMs()}; 0: none)
     * @return how long the reader should rest before it reads again, in ns (0: read at once)
     */
    long afterFrame(long nowNanos, long stampMillis, long mayWaitNanos) {
        boolean waitedFor = !anyFrame || nowNanos - readingAgainAt > WAITED_NANOS;
        anyFrame = true;
        long behind = behindStream(nowNanos, stampMillis);
        long rest = Math.min(restNanos, mayWaitNanos - FRAME_NANOS - behind);
        boolean frameByFrame = restNanos == 0 || rest < Math.min(restNanos, MIN_REST_NANOS);
        if (waitedFor || frameByFrame) {
            // Nothing was waiting behind this frame (or it is heard frame by frame): count from here.
            caughtUpAt = nowNanos;
            readSince = 0;
        } else {
            readSince++;
        }
        boolean caughtUp = readSince >= (nowNanos - caughtUpAt) / FRAME_NANOS && behind < FRAME_NANOS;
        if (frameByFrame || !caughtUp) {
            readingAgainAt = nowNanos;   // frame by frame, or frames sent meanwhile are still waiting: read on
            return 0;
        }
        readingAgainAt = nowNanos + rest;
        return rest;
    }

    /** How far the frame just read is behind the newest one sent, by its stamp, in ns; 0 without a stamp. */
    private long behindStream(long nowNanos, long stampMillis) {
        if (stampMillis < 0) {
            return 0;
        }
        long transit = nowNanos - stampMillis * 1_000_000;
        leastTransit = anyStamp ? Math.min(transit, leastTransit + TRANSIT_DRIFT_NANOS) : transit;
        anyStamp = true;
        return transit - leastTransit;
    }

    /** The rest ended at {@code nowNanos} (a busy machine may end it late); the reader reads again. */
    void resumed(long nowNanos) {
        readingAgainAt = nowNanos;
    }
}
