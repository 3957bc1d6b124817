package dev.felix.server.ws;

import dev.felix.protocol.ClientMessage;
import dev.felix.protocol.EntryKind;
import dev.felix.protocol.OpCode;
import dev.felix.protocol.Wire;
import dev.felix.server.hub.Hub;
import dev.felix.server.hub.Listener;
import dev.felix.server.metrics.GatewayMetrics;
import dev.felix.server.status.StatusService;
import dev.felix.server.store.Entry;
import dev.felix.server.store.TokenRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.internal.http.WebSocketInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One client connection: reads its frames, answers heartbeats, keeps its listened sets in the
 * hub, and keeps it alive with pings.
 *
 * <p>Threads: everything here runs on the event loop that accepted the socket ({@link #context()});
 * the only entry points from other threads are {@link WsServer}'s hops onto that loop.
 */
final class Session implements Listener {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    private final ServerWebSocket ws;
    private final Context context;
    private final SessionSettings settings;
    private final Hub hub;
    private final StatusService status;
    private final TokenRecord token;
    private final String remote;
    private final String userAgent;
    private final GatewayMetrics metrics;

    private List<String> guilds = List.of();
    private List<String> users = List.of();
    private boolean pongSeen = true;
    private long pingTimer = -1;

    /** The message being assembled from fragments: its bytes so far, or null between messages. */
    private Buffer partial;
    private boolean partialIsText;
    private long partialSize;

    Session(ServerWebSocket ws, Context context, SessionSettings settings, Hub hub, StatusService status,
            TokenRecord token, String remote, String userAgent, GatewayMetrics metrics) {
        this.ws = ws;
        this.context = context;
        this.settings = settings;
        this.hub = hub;
        this.status = status;
        this.token = token;
        this.remote = remote;
        this.userAgent = userAgent;
        this.metrics = metrics;
    }

    void start(Runnable onClosed) {
        ws.frameHandler(this::onFrame);
        ws.pongHandler(data -> pongSeen = true);
        ws.exceptionHandler(e -> log.debug("socket error from {}: {}", remote, e.toString()));
        ws.closeHandler(v -> {
            context.owner().cancelTimer(pingTimer);
            hub.remove(this, guilds, users);
            log.info("closed {} (User-Agent: {}) code={} reason={}", remote, userAgent, ws.closeStatusCode(),
                    ws.closeReason());
            onClosed.run();
        });
        long interval = settings.pingInterval().toMillis();
        pingTimer = context.owner().setPeriodic(interval, interval, id -> pingTick());
        log.info("opened {} (User-Agent: {}) token {}", remote, userAgent, token.id());
    }

    @Override
    public Context context() {
        return context;
    }

    TokenRecord token() {
        return token;
    }

    @Override
    public void deliver(Entry change, byte[] message) {
        send(change.kind().updateCode(), message);
    }

    /** Closes with a code and reason; safe from any thread. */
    Future<Void> close(short code, String reason) {
        // Hop: onto the session's loop, which owns the socket's state.
        return Future.<Void>future(p -> context.runOnContext(v -> ws.close(code, reason).onComplete(p)));
    }

    private void send(OpCode op, byte[] message) {
        if (!ws.isClosed()) {
            ws.writeFrame(Frames.text(message));
            metrics.messageOut(op);
        }
    }

    private void pingTick() {
        if (!pongSeen) {
            log.info("terminated {} (User-Agent: {}): no pong within {} ms", remote, userAgent,
                    settings.pingInterval().toMillis());
            // No close handshake: a peer that misses pongs is presumed gone.
            ((WebSocketInternal) ws).channelHandlerContext().channel().close();
            return;
        }
        pongSeen = false;
        ws.writePing(Buffer.buffer());
    }

    // ---- inbound -----------------------------------------------------------------------

    private void onFrame(WebSocketFrame frame) {
        switch (frame.type()) {
            case TEXT, BINARY -> {
                partial = frame.isText() ? Buffer.buffer() : null;
                partialIsText = frame.isText();
                partialSize = 0;
                append(frame);
            }
            case CONTINUATION -> append(frame);
            default -> {
                // ping, pong and close are handled by Vert.x and the handlers above
            }
        }
    }

    private void append(WebSocketFrame frame) {
        Buffer data = frame.binaryData();
        partialSize += data.length();
        if (partialSize > settings.maxMessageBytes()) {
            partial = null;
            partialSize = 0;
            ws.close((short) 1009, "message larger than " + settings.maxMessageBytes() + " bytes");
            return;
        }
        if (partialIsText && partial != null) {
            partial.appendBuffer(data);
        }
        if (frame.isFinal()) {
            Buffer message = partial;
            partial = null;
            partialSize = 0;
            if (partialIsText && message != null) {
                onText(message.toString(StandardCharsets.UTF_8));
            }
        }
    }

    private void onText(String text) {
        ClientMessage message = Wire.decodeClient(text);
        if (message instanceof ClientMessage.Heartbeat) {
            metrics.messageIn(OpCode.HEARTBEAT);
            send(OpCode.HEARTBEAT_ACK, status.ack(System.currentTimeMillis()));
        } else if (message instanceof ClientMessage.ListenersUpdate update) {
            metrics.messageIn(OpCode.LISTENERS_UPDATE);
            listen(update);
        } else {
            metrics.messageIn(null);
        }
    }

    private void listen(ClientMessage.ListenersUpdate update) {
        int max = settings.maxListenIds();
        if (update.users().size() > max || update.guilds().size() > max) {
            ws.close((short) 1008, "too many IDs in a listeners update (max " + max + " per list)");
            return;
        }
        hub.replace(this, EntryKind.GUILD, guilds, update.guilds());
        hub.replace(this, EntryKind.USER, users, update.users());
        guilds = update.guilds();
        users = update.users();
    }
}
