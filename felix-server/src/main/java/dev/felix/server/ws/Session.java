package dev.felix.server.ws;

import dev.felix.protocol.ClientMessage;
import dev.felix.protocol.EntryKind;
import dev.felix.protocol.Wire;
import dev.felix.server.hub.Hub;
import dev.felix.server.hub.Listener;
import dev.felix.server.status.StatusService;
import dev.felix.server.store.Entry;
import dev.felix.server.store.TokenRecord;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.internal.http.WebSocketInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
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
    /** How long a closed slow consumer gets to take the close frame before its TCP connection is dropped. */
    private static final long SLOW_CLOSE_GRACE_MS = 1000;

    private final ServerWebSocket ws;
    private final Context context;
    private final SessionSettings settings;
    private final Hub hub;
    private final StatusService status;
    private final TokenRecord token;
    private final String remote;
    private final String userAgent;
    private final WsStats stats;

    private List<String> guilds = List.of();
    private List<String> users = List.of();
    private boolean pongSeen = true;
    private long pingTimer = -1;

    /** The message being assembled from fragments: its bytes so far, or null between messages. */
    private Buffer partial;
    private boolean partialIsText;
    private long partialSize;

    /** Bytes handed to the socket whose write has not completed yet. */
    private long queuedBytes;
    private boolean slowConsumer;
    /** Inbound token bucket: frames that may arrive now, refilled at the configured rate. */
    private double inboundTokens;
    private long inboundRefilledAt = System.nanoTime();
    private boolean rateLimited;

    Session(ServerWebSocket ws, Context context, SessionSettings settings, Hub hub, StatusService status,
            TokenRecord token, String remote, String userAgent, WsStats stats) {
        this.ws = ws;
        this.context = context;
        this.settings = settings;
        this.hub = hub;
        this.status = status;
        this.token = token;
        this.remote = remote;
        this.userAgent = userAgent;
        this.stats = stats;
        this.inboundTokens = settings.inboundBurst();
    }

    void start(Runnable onClosed) {
        ws.frameHandler(this::onFrame);
        ws.pongHandler(data -> pongSeen = true);
        ws.exceptionHandler(this::onSocketError);
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
        send(message);
    }

    /** Closes with a code and reason; safe from any thread. */
    Future<Void> close(short code, String reason) {
        // Hop: onto the session's loop, which owns the socket's state.
        return Future.<Void>future(p -> context.runOnContext(v -> ws.close(code, reason).onComplete(p)));
    }

    private void send(byte[] message) {
        if (!ws.isClosed() && reserveOutbound(message.length)) {
            ws.writeFrame(Frames.text(message)).onComplete(ar -> releaseOutbound(message.length));
        }
    }

    // ---- outbound bound (slow consumers) ----------------------------------------------------

    /**
     * Counts a message into the bytes waiting for this client; false, after closing the session,
     * when the client reads too slowly for it to fit.
     */
    private boolean reserveOutbound(int length) {
        if (queuedBytes + length > settings.maxQueuedBytes()) {
            closeSlowConsumer();
            return false;
        }
        queuedBytes += length;
        stats.queued(length);
        return true;
    }

    /** Runs on this loop: Vert.x completes write futures on the context that wrote. */
    private void releaseOutbound(int length) {
        queuedBytes -= length;
        stats.queued(-length);
    }

    private void closeSlowConsumer() {
        if (slowConsumer) {
            return;
        }
        slowConsumer = true;
        stats.slowConsumer();
        log.info("closing {} (User-Agent: {}): slow consumer, {} bytes queued", remote, userAgent, queuedBytes);
        ws.close((short) 1008, "slow consumer");
        // The close frame waits behind everything the client has not read; a client that reads
        // nothing would keep the connection and its queued bytes forever. The timer fires on this loop.
        context.owner().setTimer(SLOW_CLOSE_GRACE_MS, id -> terminate());
    }

    private void terminate() {
        ((WebSocketInternal) ws).channelHandlerContext().channel().close();
    }

    // ---- protocol violations -----------------------------------------------------------------

    /**
     * Runs on this loop, inside Netty's exception callback, just before Vert.x drops the
     * connection. Vert.x tells the client nothing; a close frame written straight to the channel
     * still goes out first, so the client learns the code (1002, 1007, 1009) and why.
     */
    private void onSocketError(Throwable e) {
        if (e instanceof CorruptedWebSocketFrameException bad) {
            Channel channel = ((WebSocketInternal) ws).channelHandlerContext().channel();
            if (channel.isActive()) {
                String reason = String.valueOf(bad.getMessage());
                // A close frame holds at most 123 bytes of reason.
                reason = reason.length() > 120 ? reason.substring(0, 120) : reason;
                channel.writeAndFlush(new CloseWebSocketFrame(bad.closeStatus().code(), reason));
            }
        }
        log.debug("socket error from {}: {}", remote, e.toString());
    }

    /**
     * The text of a message, or null after closing with 1007 when it is not valid UTF-8, as RFC
     * 6455 requires (Vert.x does not check; a lenient decode would feed replacement characters on).
     */
    private String strictUtf8(Buffer message) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(message.getBytes()))
                    .toString();
        } catch (CharacterCodingException e) {
            ws.close((short) 1007, "invalid UTF-8");
            return null;
        }
    }

    // ---- inbound rate limit -----------------------------------------------------------------

    /** Takes one frame from the bucket; false, after closing the session, when it is empty. */
    private boolean allowInbound() {
        if (rateLimited) {
            return false;
        }
        long now = System.nanoTime();
        double refill = (now - inboundRefilledAt) * settings.maxInboundPerSecond() / 1e9;
        inboundRefilledAt = now;
        inboundTokens = Math.min(settings.inboundBurst(), inboundTokens + refill);
        if (inboundTokens >= 1) {
            inboundTokens -= 1;
            return true;
        }
        rateLimited = true;
        stats.rateLimit();
        log.info("closing {} (User-Agent: {}): more than {} frames per second", remote, userAgent,
                settings.maxInboundPerSecond());
        ws.close((short) 1008, "rate limit exceeded");
        return false;
    }

    private void pingTick() {
        if (!pongSeen) {
            log.info("terminated {} (User-Agent: {}): no pong within {} ms", remote, userAgent,
                    settings.pingInterval().toMillis());
            // No close handshake: a peer that misses pongs is presumed gone.
            terminate();
            return;
        }
        pongSeen = false;
        ws.writePing(Buffer.buffer());
    }

    // ---- inbound -----------------------------------------------------------------------

    private void onFrame(WebSocketFrame frame) {
        if ((frame.isText() || frame.isBinary() || frame.isContinuation()) && !allowInbound()) {
            return;
        }
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
                String text = strictUtf8(message);
                if (text != null) {
                    onText(text);
                }
            }
        }
    }

    private void onText(String text) {
        ClientMessage message = Wire.decodeClient(text);
        if (message instanceof ClientMessage.Heartbeat) {
            send(status.ack(System.currentTimeMillis()));
        } else if (message instanceof ClientMessage.ListenersUpdate update) {
            listen(update);
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
