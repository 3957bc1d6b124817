package dev.felix.server.ws;

import dev.felix.protocol.ClientMessage;
import dev.felix.protocol.EntryKind;
import dev.felix.protocol.OpCode;
import dev.felix.protocol.Wire;
import dev.felix.server.connections.RateLimitedLog;
import dev.felix.server.hub.Hub;
import dev.felix.server.hub.Listener;
import dev.felix.server.hub.TextFrame;
import dev.felix.server.metrics.GatewayMetrics;
import dev.felix.server.store.Entry;
import dev.felix.server.store.TokenRecord;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One client's protocol: answers heartbeats, keeps its listened sets in the hub and hands the updates
 * of its {@link Subscription} to the socket.
 *
 * <p>The session is the last handler of its channel's pipeline, behind Netty's frame codec, the
 * slow-consumer bound ({@link OutboundBound}), the frame budget ({@link FrameBudget}) and the frame
 * rules ({@link FrameRules}), which hand it whole text messages. It closes by writing a close frame on
 * the channel, which the frame rules turn into the close handshake.
 *
 * <p>Threads: everything here runs on the event loop that accepted the socket ({@link #loop()}); the
 * only entry points from other threads are {@link #close} and the hub's hop onto that loop.
 */
final class Session extends ChannelInboundHandlerAdapter implements Listener, Subscription.Output {
    private static final Logger log = LoggerFactory.getLogger(Session.class);
    /** Rate-limited: whatever a client's messages set off, it can send again and again. */
    private static final RateLimitedLog UNEXPECTED = new RateLimitedLog(log, "unexpected socket errors");

    private final Channel ch;
    private final SessionServices services;
    private final TokenRecord token;
    private final Peer peer;
    private final Consumer<Session> onClosed;
    /** Made by the first listeners update: a socket that never listens holds none. */
    private Subscription subscription;
    /** Messages written and not flushed yet: flushed after the read or the hub's batch that wrote them. */
    private boolean unflushed;

    Session(Channel ch, SessionServices services, TokenRecord token, Peer peer, Consumer<Session> onClosed) {
        this.ch = ch;
        this.services = services;
        this.onClosed = onClosed;
        this.token = token;
        this.peer = peer;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (subscription != null) {
            subscription.close();
            services.hub().remove(this, subscription.listened(EntryKind.GUILD), subscription.listened(EntryKind.USER));
        }
        onClosed.accept(this);
    }

    @Override
    public EventLoop loop() {
        return ch.eventLoop();
    }

    TokenRecord token() {
        return token;
    }

    /** Bytes written to this socket that the operating system has not taken yet. */
    long queuedBytes() {
        return OutboundBound.queuedBytes(ch);
    }

    @Override
    public void deliver(Entry change, ByteBuf frame) {
        if (subscription.deliver(change)) {
            send(change.kind().updateCode(), frame.retainedDuplicate());
        }
    }

    /** An update the subscription held while it resumed, framed for this socket alone. */
    @Override
    public void send(Entry entry) {
        send(entry.kind().updateCode(), TextFrame.of(ch.alloc(),
                Wire.encodeEntryUpdate(entry.kind(), entry.id(), entry.json(), entry.seq())));
    }

    @Override
    public void resumeFailed(Throwable error) {
        log.warn("resume for {} failed: {}", peer, error.toString());
        sendClose(1011, "resume failed, reconnect and try again");
    }

    /** Closes with a code and reason; safe from any thread. The future completes once the socket is closed. */
    Future<Void> close(short code, String reason) {
        Promise<Void> closed = Promise.promise();
        ch.closeFuture().addListener(f -> closed.complete());
        // Hop: onto the session's loop, which owns the socket's state.
        ch.eventLoop().execute(() -> sendClose(code, reason));
        return closed.future();
    }

    /** Starts the close handshake (see {@link FrameRules}). */
    private void sendClose(int code, String reason) {
        ch.writeAndFlush(new CloseWebSocketFrame(code, reason), ch.voidPromise());
    }

    /**
     * Writes a frame that is already whole (a buffer the write owns): it passes Netty's frame encoder as
     * it is. The receivers of one change each write a duplicate of the same direct buffer, which the
     * socket sends from without a copy.
     */
    private void send(OpCode op, ByteBuf frame) {
        services.metrics().messageOut(op);
        ch.write(frame, ch.voidPromise());
        unflushed = true;
    }

    @Override
    public void flush() {
        if (unflushed) {
            unflushed = false;
            ch.flush();
        }
    }

    /** The end of what one read from the socket gave: the answers to all of it leave in one write. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable e) {
        if (SocketErrors.ordinary(e)) {
            log.debug("socket error from {}: {}", peer.remote(), e.toString());
        } else {
            UNEXPECTED.warn("unexpected error on the socket of {}; closing it", peer, e);
        }
        ch.close();
    }

    /** A whole text message, from the frame rules. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ClientMessage message = Wire.decodeClient((String) msg);
        GatewayMetrics metrics = services.metrics();
        if (message instanceof ClientMessage.Heartbeat) {
            metrics.messageIn(OpCode.HEARTBEAT);
            send(OpCode.HEARTBEAT_ACK, AckFrames.frame(ch.alloc(), services.status().ack(System.currentTimeMillis())));
        } else if (message instanceof ClientMessage.ListenersUpdate update) {
            metrics.messageIn(OpCode.LISTENERS_UPDATE);
            listen(update);
        } else {
            metrics.messageIn(null);
        }
    }

    private void listen(ClientMessage.ListenersUpdate update) {
        int max = services.settings().maxListenIds();
        if (update.users().size() > max || update.guilds().size() > max) {
            sendClose(1008, "too many IDs in a listeners update (max " + max + " per list)");
            return;
        }
        if (subscription == null) {
            subscription = new Subscription(services.store()::changedSince, ch.eventLoop(), this);
        }
        Hub hub = services.hub();
        Map<EntryKind, Set<String>> next = new EnumMap<>(EntryKind.class);
        for (EntryKind kind : EntryKind.values()) {
            // IDs outside the token's scope are dropped here, so the hub and the resume never see them.
            Set<String> ids = new HashSet<>(token.access().filter(kind, update.ids(kind)));
            hub.replace(this, kind, subscription.listened(kind), ids);
            next.put(kind, ids);
        }
        subscription.listen(next, update.since());
    }
}
