package dev.voiceagent.call;

import java.util.Optional;
import java.util.function.Function;
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
import dev.voiceagent.twilio.MediaStreamSender;
import dev.voiceagent.twilio.WsSessionSender;

/**
 * One Twilio socket of one call (a new instance per connection): {@code /twilio/media} (Media Streams) or
 * {@code /twilio/relay} (ConversationRelay). It only checks the handshake's {@code X-Twilio-Signature}, joins
 * fragments, and hands each message to the call ({@link SocketCall}), which runs on its own thread: Helidon reads a
 * connection's frames on one virtual thread, so anything slow here would stop the call from hearing the caller.
 *
 * <p>Bad input never takes the server down: an oversized message closes this socket with 1009, a run of
 * {@value #MAX_MALFORMED_IN_A_ROW} undecodable messages closes it with 1007, and single bad ones are counted and
 * skipped.
 */
public final class TwilioSocketListener implements WsListener {

    private static final Logger LOG = Logger.getLogger(TwilioSocketListener.class.getName());

    /** Twilio's messages are a few hundred bytes; the first one, with our parameters, a few KB. */
    static final int MAX_MESSAGE_CHARS = 64 * 1024;
    static final int MAX_MALFORMED_IN_A_ROW = 10;

    /** What differs between the two sockets. */
    private record Protocol(String name, String threadName, Function<MediaStreamSender, SocketCall> calls,
                            java.util.function.IntFunction<EndReason> closedWith) {
    }

    private final Protocol protocol;
    private final CallServices services;
    private final HandshakeVerifier handshake;
    private final StringBuilder fragments = new StringBuilder();
    private WsSessionSender sender;
    private SocketCall call;
    private int malformedInARow;

    private TwilioSocketListener(Protocol protocol, CallServices services, HandshakeVerifier handshake) {
        this.protocol = protocol;
        this.services = services;
        this.handshake = handshake;
    }

    /** The {@code /twilio/media} socket: a Media Streams call ({@link CallSession}). */
    public static TwilioSocketListener mediaStream(CallServices services, HandshakeVerifier handshake) {
        // Twilio says stop before it closes; a close without it is a dropped socket.
        return new TwilioSocketListener(new Protocol("media stream", "call", out -> new CallSession(services, out),
                                                     status -> EndReason.SOCKET_CLOSED), services, handshake);
    }

    /** The {@code /twilio/relay} socket: a ConversationRelay call ({@link RelaySession}). */
    public static TwilioSocketListener relay(CallServices services, HandshakeVerifier handshake) {
        // Twilio closes the socket normally when the call ends (the caller hung up, or after our end message).
        return new TwilioSocketListener(new Protocol("ConversationRelay", "relay-call", out -> new RelaySession(services, out),
                                                     status -> status == 1000 ? EndReason.CALLER_HUNG_UP
                                                                              : EndReason.SOCKET_CLOSED),
                                        services, handshake);
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        if (!handshake.verify(prologue, headers)) {
            services.metrics().rejectedSocket("signature");
            LOG.warning(protocol.name() + " socket refused: bad or missing X-Twilio-Signature");
            throw new WsUpgradeException("invalid Twilio signature");
        }
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession ws) {
        sender = new WsSessionSender(ws);
        call = protocol.calls().apply(sender);
        Thread.ofVirtual().name(protocol.threadName()).start(call);
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
            call.receive(whole);
            malformedInARow = 0;
        } catch (MalformedFrameException e) {
            malformed(e.getMessage());
        }
    }

    @Override
    public void onMessage(WsSession ws, BufferData buffer, boolean last) {
        malformed("binary frame (" + protocol.name() + " uses JSON text frames only)");
    }

    @Override
    public void onClose(WsSession ws, int status, String reason) {
        if (call != null) {
            call.socketClosed(protocol.closedWith().apply(status), "close " + status);
        }
    }

    @Override
    public void onError(WsSession ws, Throwable t) {
        if (call != null) {
            call.socketClosed(EndReason.SOCKET_CLOSED, "error " + t.getClass().getSimpleName());
        }
    }

    private void malformed(String why) {
        services.metrics().malformedFrame();
        malformedInARow++;
        if (malformedInARow == 1) {
            new CallLog(callSidOrDash()).warn("skipping a malformed " + protocol.name() + " message: " + why);
        }
        if (malformedInARow >= MAX_MALFORMED_IN_A_ROW) {
            refuse(1007, "too many malformed messages", "malformed");
        }
    }

    private void refuse(int code, String reason, String metricTag) {
        services.metrics().rejectedSocket(metricTag);
        new CallLog(callSidOrDash()).warn("closing the " + protocol.name() + " socket: " + reason);
        sender.close(code, reason);
        call.socketClosed(EndReason.SOCKET_CLOSED, reason);
    }

    private String callSidOrDash() {
        return call == null || call.callSid().isEmpty() ? "-" : call.callSid();
    }
}
