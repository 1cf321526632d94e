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
import dev.voiceagent.twilio.RelayCodec;
import dev.voiceagent.twilio.WsSessionSender;

/**
 * The {@code /twilio/relay} socket of one ConversationRelay call (a new instance per connection). It only checks
 * the handshake's {@code X-Twilio-Signature}, joins and decodes frames, and hands messages to the
 * {@link RelaySession}, which runs on its own thread.
 *
 * <p>Bad input never takes the server down, as on the media socket: an oversized message closes this socket with
 * 1009, a run of {@value #MAX_MALFORMED_IN_A_ROW} undecodable frames closes it with 1007, and single bad frames are
 * counted and skipped.
 */
public final class RelayListener implements WsListener {

    private static final Logger LOG = Logger.getLogger(RelayListener.class.getName());

    /** Prompts are a few hundred bytes; {@code setup} with parameters a few KB. */
    static final int MAX_MESSAGE_CHARS = 64 * 1024;
    static final int MAX_MALFORMED_IN_A_ROW = 10;

    private final CallServices services;
    private final HandshakeVerifier handshake;
    private final StringBuilder fragments = new StringBuilder();
    private WsSessionSender sender;
    private RelaySession session;
    private int malformedInARow;

    public RelayListener(CallServices services, HandshakeVerifier handshake) {
        this.services = services;
        this.handshake = handshake;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        if (!handshake.verify(prologue, headers)) {
            services.metrics().rejectedSocket("signature");
            LOG.warning("relay socket refused: bad or missing X-Twilio-Signature");
            throw new WsUpgradeException("invalid Twilio signature");
        }
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession ws) {
        sender = new WsSessionSender(ws);
        session = new RelaySession(services, sender);
        Thread.ofVirtual().name("relay-call").start(session);
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
            session.deliver(RelayCodec.decode(whole));
            malformedInARow = 0;
        } catch (MalformedFrameException e) {
            malformed(e.getMessage());
        }
    }

    @Override
    public void onMessage(WsSession ws, BufferData buffer, boolean last) {
        malformed("binary frame (ConversationRelay uses JSON text frames only)");
    }

    @Override
    public void onClose(WsSession ws, int status, String reason) {
        if (session != null) {
            // Twilio closes the socket normally when the call ends (the caller hung up, or after our end message).
            session.socketClosed(status == 1000 ? EndReason.CALLER_HUNG_UP : EndReason.SOCKET_CLOSED, "close " + status);
        }
    }

    @Override
    public void onError(WsSession ws, Throwable t) {
        if (session != null) {
            session.socketClosed(EndReason.SOCKET_CLOSED, "error " + t.getClass().getSimpleName());
        }
    }

    private void malformed(String why) {
        services.metrics().malformedFrame();
        malformedInARow++;
        if (malformedInARow == 1) {
            new CallLog(callSidOrDash()).warn("skipping a malformed ConversationRelay message: " + why);
        }
        if (malformedInARow >= MAX_MALFORMED_IN_A_ROW) {
            refuse(1007, "too many malformed messages", "malformed");
        }
    }

    private void refuse(int code, String reason, String metricTag) {
        services.metrics().rejectedSocket(metricTag);
        new CallLog(callSidOrDash()).warn("closing the relay socket: " + reason);
        sender.close(code, reason);
        session.socketClosed(EndReason.SOCKET_CLOSED, reason);
    }

    private String callSidOrDash() {
        return session == null || session.callSid().isEmpty() ? "-" : session.callSid();
    }
}
