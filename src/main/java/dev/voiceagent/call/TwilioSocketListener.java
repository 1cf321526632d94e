package dev.voiceagent.call;

import java.net.SocketAddress;
import java.net.URI;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.logging.Logger;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;

import dev.voiceagent.edge.PhoneAccess;
import dev.voiceagent.observe.CallLog;
import dev.voiceagent.store.Channel;
import dev.voiceagent.twilio.HandshakeVerifier;
import dev.voiceagent.twilio.MalformedFrameException;
import dev.voiceagent.twilio.MediaStreamSender;
import dev.voiceagent.twilio.WsSessionSender;

/**
 * One Twilio socket of one call (a new instance per connection): {@code /twilio/media} (Media Streams),
 * {@code /twilio/relay} (ConversationRelay), or the console's web phone ({@code /console/phone/socket}, Media Streams
 * spoken by a browser tab). It only checks who may open it (a Twilio socket: the handshake's
 * {@code X-Twilio-Signature}; the web phone: the same origin, then the console session once the peer is known), joins
 * fragments, and hands each message to the call ({@link SocketCall}), which runs on its own thread: Helidon reads a
 * connection's frames on one virtual thread, so anything slow here would stop the call from hearing the caller.
 *
 * <p>While nothing hangs on the next frames the reader rests once it has caught up ({@link ReaderPacing}), so it
 * takes Twilio's frames a few at a time; a rest ends a frame before the call could next decide anything (a barge-in,
 * a pause, the end of a turn), and from there frames are read one by one. ConversationRelay sockets carry no audio
 * and are never paced.
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

    /**
     * What differs between the sockets: who may upgrade (handshake headers only), who may stay once open (the peer's
     * address is known only then), the call it feeds and what a close means.
     */
    private record Protocol(String name, String threadName, boolean paced, BiPredicate<HttpPrologue, Headers> upgrade,
                            Refusal refused, BiPredicate<SocketAddress, Headers> open, Function<MediaStreamSender, SocketCall> calls,
                            java.util.function.IntFunction<EndReason> closedWith) {
    }

    /** How a refused upgrade is counted ({@code voice_sockets_rejected_total{reason}}) and explained. */
    private record Refusal(String metricTag, String why) {
        static final Refusal SIGNATURE = new Refusal("signature", "invalid Twilio signature");
        static final Refusal ORIGIN = new Refusal("origin", "Origin is not this server");
    }

    private final Protocol protocol;
    private final CallServices services;
    private final ReaderPacing pacing;
    private final StringBuilder fragments = new StringBuilder();
    private Headers upgradeHeaders;
    private WsSessionSender sender;
    private SocketCall call;
    private int malformedInARow;

    private TwilioSocketListener(Protocol protocol, CallServices services) {
        this.protocol = protocol;
        this.services = services;
        this.pacing = new ReaderPacing(protocol.paced() ? services.settings().readerRest().toNanos() : 0);
    }

    /** The {@code /twilio/media} socket: a Media Streams call ({@link CallSession}). */
    public static TwilioSocketListener mediaStream(CallServices services, HandshakeVerifier handshake) {
        // Twilio says stop before it closes; a close without it is a dropped socket.
        return new TwilioSocketListener(new Protocol("media stream", "call", true, handshake::verify, Refusal.SIGNATURE, (peer, headers) -> true,
                                                     out -> new CallSession(services, out),
                                                     status -> EndReason.SOCKET_CLOSED), services);
    }

    /** The {@code /twilio/relay} socket: a ConversationRelay call ({@link RelaySession}). */
    public static TwilioSocketListener relay(CallServices services, HandshakeVerifier handshake) {
        // Twilio closes the socket normally when the call ends (the caller hung up, or after our end message).
        return new TwilioSocketListener(new Protocol("ConversationRelay", "relay-call", false, handshake::verify,
                                                     Refusal.SIGNATURE, (peer, headers) -> true, out -> new RelaySession(services, out),
                                                     status -> status == 1000 ? EndReason.CALLER_HUNG_UP
                                                                              : EndReason.SOCKET_CLOSED),
                                        services);
    }

    /**
     * The web phone's socket ({@code /console/phone/socket}): a Media Streams call from a browser tab, stored with
     * the {@code web} channel ({@link CallSession}). The handshake must come from a page of this server (its
     * {@code Origin}, when a browser sends one, names the {@code Host} it connects to), so another site open in the
     * operator's browser cannot ride on the console session; {@code access} is then checked with the peer's address,
     * and a socket it refuses is closed with 1008 before any call exists. The page says {@code stop} before it
     * closes, so a close without it is a dropped socket, as on Twilio's.
     */
    public static TwilioSocketListener webPhone(CallServices services, PhoneAccess access) {
        return new TwilioSocketListener(new Protocol("web phone", "web-call", true, TwilioSocketListener::sameOrigin,
                                                     Refusal.ORIGIN, access::allows, out -> new CallSession(services, out, Channel.WEB),
                                                     status -> EndReason.SOCKET_CLOSED), services);
    }

    /** No {@code Origin} (not a browser), or one whose host and port are the {@code Host} the request was sent to. */
    static boolean sameOrigin(HttpPrologue prologue, Headers headers) {
        Optional<String> origin = headers.first(HeaderNames.ORIGIN);
        if (origin.isEmpty()) {
            return true;
        }
        Optional<String> host = headers.first(HeaderNames.HOST);
        try {
            String authority = URI.create(origin.get().strip()).getRawAuthority();
            return host.isPresent() && authority != null && authority.equalsIgnoreCase(host.get().strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        if (!protocol.upgrade().test(prologue, headers)) {
            services.metrics().rejectedSocket(protocol.refused().metricTag());
            LOG.warning(protocol.name() + " socket refused: " + protocol.refused().why());
            throw new WsUpgradeException(protocol.refused().why());
        }
        upgradeHeaders = headers;
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession ws) {
        sender = new WsSessionSender(ws);
        if (!protocol.open().test(ws.socketContext().remotePeer().address(), upgradeHeaders)) {
            services.metrics().rejectedSocket("console-session");
            LOG.warning(protocol.name() + " socket refused: no console session");
            sender.close(1008, "console session required");
            return;
        }
        call = protocol.calls().apply(sender);
        Thread.ofVirtual().name(protocol.threadName()).start(call);
    }

    @Override
    public void onMessage(WsSession ws, String text, boolean last) {
        if (call == null) {
            return;   // refused on open
        }
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
        rest(pacing.afterFrame(services.nanoTime().getAsLong(), call.lastFrameStampMillis(),
                               call.readerMayRestMs() * 1_000_000L));
    }

    /** This thread is the socket's reader: resting here lets the next frames gather in the socket's buffer. */
    private void rest(long nanos) {
        if (nanos <= 0) {
            return;
        }
        try {
            services.ticker().sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pacing.resumed(services.nanoTime().getAsLong());
    }

    @Override
    public void onMessage(WsSession ws, BufferData buffer, boolean last) {
        if (call == null) {
            return;
        }
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
