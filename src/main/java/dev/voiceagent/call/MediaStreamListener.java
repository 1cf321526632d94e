package dev.voiceagent.call;

import java.util.Optional;
import java.util.logging.Logger;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;

import dev.voiceagent.observe.CallLog;
import dev.voiceagent.twilio.HandshakeVerifier;
import dev.voiceagent.twilio.MalformedFrameException;
import dev.voiceagent.twilio.MediaStreamCodec;
import dev.voiceagent.twilio.StreamEvent;
import dev.voiceagent.twilio.WsSessionSender;

/**
 * The {@code /twilio/media} socket of one call (a new instance per connection). It only checks the
 * handshake, joins and decodes frames, and hands events to the {@link CallSession}, which runs on its
 * own thread: Helidon reads a connection's frames on one virtual thread, so anything slow here would stop
 * the call from hearing the caller.
 *
 * <p>Bad input never takes the server down: an oversized message closes this socket with 1009, a run of
 * undecodable frames closes it with 1007, and single bad frames are counted and skipped.
 */
public final class MediaStreamListener implements WsListener {

    private static final Logger LOG = Logger.getLogger(MediaStreamListener.class.getName());

    /** Twilio's frames are a few hundred bytes; {@code start} with parameters a few KB. */
    static final int MAX_MESSAGE_CHARS = 64 * 1024;
    static final int MAX_MALFORMED_IN_A_ROW = 10;

    private final CallServices services;
    private final HandshakeVerifier handshake;
    private final StringBuilder fragments = new StringBuilder();
    private WsSessionSender sender;
    private CallSession session;
    private int malformedInARow;

    public MediaStreamListener(CallServices services, HandshakeVerifier handshake) {
        this.services = services;
        this.handshake = handshake;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        if (!handshake.verify(prologue, headers)) {
            services.metrics().rejectedSocket("signature");
            LOG.warning("media socket refused: bad or missing X-Twilio-Signature");
            throw new WsUpgradeException("invalid Twilio signature");
        }
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession ws) {
        sender = new WsSessionSender(ws);
        session = new CallSession(services, sender);
        Thread.ofVirtual().name("call").start(session);
    }

    @Override
    public void onMessage(WsSession ws, String text, boolean last) {
        if (fragments.length() + text.length() > MAX_MESSAGE_CHARS) {
            fragments.setLength(0);
            refuse(1009, "message too big", "oversized");
            return;
        }
        if (!last) {
            fragments.append(text);
            return;
        }
        String whole = text;
        if (!fragments.isEmpty()) {
            whole = fragments.append(text).toString();
            fragments.setLength(0);
        }
        try {
            StreamEvent event = MediaStreamCodec.decode(whole);
            malformedInARow = 0;
            if (event instanceof StreamEvent.Media media) {
                session.hear(media);
            } else {
                session.deliver(event);
            }
        } catch (MalformedFrameException e) {
            malformed(e.getMessage());
        }
    }

    @Override
    public void onMessage(WsSession ws, BufferData buffer, boolean last) {
        malformed("binary frame (Media Streams uses JSON text frames only)");
    }

    @Override
    public void onClose(WsSession ws, int status, String reason) {
        if (session != null) {
            session.socketClosed("close " + status);
        }
    }

    @Override
    public void onError(WsSession ws, Throwable t) {
        if (session != null) {
            session.socketClosed("error " + t.getClass().getSimpleName());
        }
    }

    private void malformed(String why) {
        services.metrics().malformedFrame();
        malformedInARow++;
        if (malformedInARow == 1) {
            new CallLog(callSidOrDash()).warn("skipping a malformed media-stream frame: " + why);
        }
        if (malformedInARow >= MAX_MALFORMED_IN_A_ROW) {
            refuse(1007, "too many malformed messages", "malformed");
        }
    }

    private void refuse(int code, String reason, String metricTag) {
        services.metrics().rejectedSocket(metricTag);
        new CallLog(callSidOrDash()).warn("closing the media socket: " + reason);
        sender.close(code, reason);
        session.socketClosed(reason);
    }

    private String callSidOrDash() {
        return session == null || session.callSid().isEmpty() ? "-" : session.callSid();
    }
}
