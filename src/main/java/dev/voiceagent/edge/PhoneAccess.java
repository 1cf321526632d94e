package dev.voiceagent.edge;

import java.net.SocketAddress;

import io.helidon.http.Headers;

/**
 * Who may use the web phone: its page, its persona list and its call socket. Main wires it to the console's session
 * check ({@code console.ConsoleAccess::allows}: the signed session cookie when {@code ADMIN_API_KEY} is set, else
 * direct requests from this machine), given the request's peer and headers (a WebSocket's handshake headers; the
 * peer is known once the socket is open). Implementations are stateless or thread-safe, and never block.
 */
@FunctionalInterface
public interface PhoneAccess {

    /** Whether a request from {@code peer} (null when not known yet) with {@code headers} may use the web phone. */
    boolean allows(SocketAddress peer, Headers headers);
}
