package dev.voiceagent.edge;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.OptionalLong;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * A route's request body limit, enforced before any work is done with the body. The server also caps every
 * body at the largest route limit (Helidon's {@code max-payload-size}, see {@code Main}); this is the
 * per-route bound inside it.
 * <ul>
 *   <li>{@link #filter()}: a request that declares a {@code Content-Length} over the limit is answered
 *       413 at once; its body is never read.</li>
 *   <li>{@link #read}: a body without a declared length (chunked) is read up to the limit and one byte
 *       more; past that it is refused the same way and the rest is never read.</li>
 * </ul>
 * A 413 carries {@code Connection: close}, so the server closes the connection instead of draining what
 * the client is still sending. Immutable; the methods block only on reading the request.
 */
public final class BodyLimit {

    private final int maxBytes;

    public BodyLimit(int maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    public int maxBytes() {
        return maxBytes;
    }

    /** For {@code rules.any(path, limit.filter())}: refuses a declared oversized body, else passes the request on. */
    public Handler filter() {
        return (req, res) -> {
            OptionalLong declared = req.headers().contentLength();
            if (declared.isPresent() && declared.getAsLong() > maxBytes) {
                refuse(res);
                return;
            }
            res.next();
        };
    }

    /**
     * The whole body, at most {@link #maxBytes()} bytes (empty when the request has none).
     *
     * @throws TooLarge when the body is longer; the caller answers with {@link #refuse}
     */
    public byte[] read(ServerRequest req) throws TooLarge {
        OptionalLong declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > maxBytes) {
            throw new TooLarge(maxBytes);
        }
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        try {
            InputStream in = req.content().inputStream();
            byte[] body = in.readNBytes(maxBytes + 1);
            if (body.length > maxBytes) {
                throw new TooLarge(maxBytes);
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers 413 and closes the connection, so nothing more of the body is read. */
    public void refuse(ServerResponse res) {
        res.status(Status.REQUEST_ENTITY_TOO_LARGE_413);
        res.header(HeaderValues.CONNECTION_CLOSE);
        res.headers().contentType(MediaTypes.TEXT_PLAIN);
        res.send("request body over " + maxBytes + " bytes");
    }

    /** The body is over the limit. */
    public static final class TooLarge extends Exception {
        TooLarge(int maxBytes) {
            super("request body over " + maxBytes + " bytes", null, false, false);
        }
    }
}
