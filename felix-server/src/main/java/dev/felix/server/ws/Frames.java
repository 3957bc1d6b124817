package dev.felix.server.ws;

import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;

/**
 * Text frames over bytes that are already UTF-8. Vert.x's public API only builds text frames
 * from a {@code String}, which would re-encode a fan-out message once per receiver; this frame
 * wraps the shared bytes without copying them.
 */
final class Frames {
    private Frames() {
    }

    static WebSocketFrame text(byte[] utf8) {
        return new WebSocketFrameImpl(WebSocketFrameType.TEXT, utf8, true);
    }
}
