package dev.voiceagent.fakes;

import java.time.Duration;
import java.util.Objects;

/**
 * Something {@link FakeStreamingStt} does wrong on purpose to one WebSocket session (queued with
 * {@link FakeStreamingStt#failNext}) or to every new one ({@link FakeStreamingStt#failAlways}).
 */
public sealed interface StreamFault {

    /** Refuse the handshake with this HTTP status and the Cloudflare error envelope (401, 429, 500, 503, …). */
    static StreamFault refuse(int httpStatus) {
        return new Refuse(httpStatus);
    }

    /** Read the upgrade request and never answer it; the socket stays open until the client gives up. */
    static StreamFault neverAnswer() {
        return new NeverAnswer();
    }

    /** Accept, then drop the TCP connection without a close frame {@code after} the socket opened. */
    static StreamFault cutAfter(Duration after) {
        return new CutAfter(after);
    }

    /** Accept, then send a close frame with {@code code} and {@code reason} {@code after} the socket opened. */
    static StreamFault closeAfter(Duration after, int code, String reason) {
        return new CloseAfter(after, code, reason);
    }

    /**
     * Accept, then never read from the socket: the client's sends back up once the TCP buffers are full (a vendor
     * that hangs). The session ends when the fake cuts or closes it, or is closed.
     */
    static StreamFault stopReading() {
        return new StopReading();
    }

    /** See {@link #refuse(int)}. */
    record Refuse(int httpStatus) implements StreamFault {
        public Refuse {
            if (httpStatus < 400 || httpStatus > 599) {
                throw new IllegalArgumentException("not an error status: " + httpStatus);
            }
        }
    }

    /** See {@link #neverAnswer()}. */
    record NeverAnswer() implements StreamFault {
    }

    /** See {@link #stopReading()}. */
    record StopReading() implements StreamFault {
    }

    /** See {@link #cutAfter(Duration)}. */
    record CutAfter(Duration after) implements StreamFault {
        public CutAfter {
            Objects.requireNonNull(after, "after");
        }
    }

    /** See {@link #closeAfter(Duration, int, String)}. */
    record CloseAfter(Duration after, int code, String reason) implements StreamFault {
        public CloseAfter {
            Objects.requireNonNull(after, "after");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
