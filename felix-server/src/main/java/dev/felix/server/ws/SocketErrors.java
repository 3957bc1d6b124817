package dev.felix.server.ws;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;

import java.io.IOException;

/** Which exceptions reaching the end of a WebSocket connection's pipeline are the client's doing. */
final class SocketErrors {
    private SocketErrors() {
    }

    /**
     * True for what any client causes without a fault here, logged at debug only: a reset or broken
     * connection, a failed TLS handshake (both an {@link IOException}, also as the cause of Netty's
     * decoder exception) and a bad frame the frame rules have answered already. Anything else is a
     * fault in the gateway, worth a warning.
     */
    static boolean ordinary(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException || cause instanceof CorruptedWebSocketFrameException) {
                return true;
            }
        }
        return false;
    }
}
