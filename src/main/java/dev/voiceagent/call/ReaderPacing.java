package dev.voiceagent.call;

/**
 * How long a media socket's reader thread rests after a frame, so that while nothing hangs on the next frames
 * (the caller is quiet, or in the middle of a sentence) it takes Twilio's frames a few at a time instead of waking
 * for each one.
 *
 * <p>Twilio sends a frame every 20 ms, talking or not. Waking the reader for each (a poller wake-up, a virtual
 * thread unparked onto a carrier) is most of what a connected call costs the server. The voice detector and the
 * turn timing count audio time, not wall-clock time, so frames read in a batch give the same decisions, only up
 * to one rest later; the call says when that is harmless ({@link SocketCall#readerMayRest()}: not at the start of
 * a turn, nor in a pause, where a barge-in, a pause or the end of a turn is decided), and otherwise the reader
 * takes every frame as it comes.
 *
 * <p>A rest is taken once the reader has caught up: after a frame it had to wait for (it arrived after the reader
 * returned to the socket), or once it has read as many frames as Twilio sent (one every 20 ms) since the last frame
 * known to be the newest: one it waited for, or one heard frame by frame. Frames still waiting are read at once,
 * back to back, so the reader never falls behind. The count runs across rests, not from each rest's start: counted
 * from there, a rest that is not a whole number of frames long (or a frame a little late) leaves one frame
 * unread each time, and the reader drifts behind the call by a frame per rest.
 * A quiet call then costs about one wake-up per rest instead of one per frame.
 *
 * <p>One instance per socket, used only by its reader thread. Times are {@link System#nanoTime()} values passed
 * in by the caller (compared by subtraction); this class reads no clock.
 */
final class ReaderPacing {

    /** A frame that took longer than this to arrive was waited for; a quicker one was already there. */
    static final long WAITED_NANOS = 2_000_000;
    /** Twilio sends one media message every 20 ms. */
    static final long FRAME_NANOS = 20_000_000;

    private final long restNanos;
    private boolean anyFrame;
    private long readingAgainAt;
    /** When the newest frame known to be caught up with was read. */
    private long caughtUpAt;
    /** Frames read since {@link #caughtUpAt}. */
    private long readSince;

    /** @param restNanos how long to rest after a frame that was waited for, when the call may wait; 0: never */
    ReaderPacing(long restNanos) {
        if (restNanos < 0) {
            throw new IllegalArgumentException("restNanos must be >= 0: " + restNanos);
        }
        this.restNanos = restNanos;
    }

    /**
     * Called once a frame has been handled, at {@code nowNanos}.
     *
     * @param mayRest whether the call can wait for the next frames ({@link SocketCall#readerMayRest()})
     * @return how long the reader should rest before it reads again, in ns (0: read at once)
     */
    long afterFrame(long nowNanos, boolean mayRest) {
        boolean waitedFor = !anyFrame || nowNanos - readingAgainAt > WAITED_NANOS;
        anyFrame = true;
        boolean frameByFrame = restNanos == 0 || !mayRest;
        if (waitedFor || frameByFrame) {
            // Nothing was waiting behind this frame (or it is heard frame by frame): count from here.
            caughtUpAt = nowNanos;
            readSince = 0;
        } else {
            readSince++;
        }
        boolean caughtUp = readSince >= (nowNanos - caughtUpAt) / FRAME_NANOS;
        if (frameByFrame || !caughtUp) {
            readingAgainAt = nowNanos;   // frame by frame, or frames sent meanwhile are still waiting: read on
            return 0;
        }
        readingAgainAt = nowNanos + restNanos;
        return restNanos;
    }

    /** The rest ended at {@code nowNanos} (a busy machine may end it late); the reader reads again. */
    void resumed(long nowNanos) {
        readingAgainAt = nowNanos;
    }
}
