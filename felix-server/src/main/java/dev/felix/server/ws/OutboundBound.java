package dev.felix.server.ws;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The slow-consumer bound ({@code --max-queued-bytes}): a message (or pong) that would take the bytes
 * written to this socket and not yet taken by the operating system over the bound is dropped, and the
 * client, which reads slower than it is written to, is closed with 1008. The bound is the channel's
 * high water mark ({@link #waterMark}), so Netty's own count of pending bytes decides, through
 * {@link Channel#bytesBeforeUnwritable()}. Pings and close frames are not bounded. Runs on the channel's
 * event loop.
 */
final class OutboundBound extends ChannelOutboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(OutboundBound.class);
    /** How long a closed slow consumer gets to take the close frame before its TCP connection is dropped. */
    static final long SLOW_CLOSE_GRACE_MS = 1000;

    private final Peer peer;
    private final WsStats stats;
    private boolean slow;

    OutboundBound(Peer peer, WsStats stats) {
        this.peer = peer;
        this.stats = stats;
    }

    /**
     * The channel option for a bound of this many queued bytes: unwritable above it and writable again
     * as soon as it is under it, so that {@link Channel#bytesBeforeUnwritable()} is the room left.
     */
    static WriteBufferWaterMark waterMark(int maxQueuedBytes) {
        return new WriteBufferWaterMark(maxQueuedBytes, maxQueuedBytes);
    }

    /**
     * Bytes written to this channel that the operating system has not taken yet. Netty counts the
     * bytes before a change of writability from one past the water mark: unwritable above the high
     * one, writable again below the low one.
     */
    static long queuedBytes(Channel ch) {
        if (!ch.isOpen()) {
            return 0;
        }
        return ch.isWritable() ? ch.config().getWriteBufferHighWaterMark() + 1 - ch.bytesBeforeUnwritable()
                : ch.config().getWriteBufferLowWaterMark() - 1 + ch.bytesBeforeWritable();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof CloseWebSocketFrame || msg instanceof PingWebSocketFrame) {
            ctx.write(msg, promise);
            return;
        }
        int bytes = msg instanceof ByteBufHolder holder ? holder.content().readableBytes()
                : msg instanceof ByteBuf buf ? buf.readableBytes() : 0;
        // Fits when the queue stays at or under the bound; one byte more would make the channel unwritable.
        if (bytes < ctx.channel().bytesBeforeUnwritable()) {
            ctx.write(msg, promise);
            return;
        }
        FrameRules.drop(msg, promise);
        if (!slow) {
            slow = true;
            closeSlowConsumer(ctx, bytes);
        }
    }

    private void closeSlowConsumer(ChannelHandlerContext ctx, int messageBytes) {
        Channel ch = ctx.channel();
        stats.slowConsumer();
        log.info("closing {}: slow consumer, {} bytes queued and a {}-byte message over the bound of {}", peer,
                queuedBytes(ch), messageBytes, ch.config().getWriteBufferHighWaterMark());
        ch.writeAndFlush(new CloseWebSocketFrame(1008, "slow consumer"), ch.voidPromise());
        // The close frame waits behind everything the client has not read; a client that reads
        // nothing would keep the connection and its queued bytes for the whole closing timeout.
        ctx.executor().schedule(() -> ch.close(), SLOW_CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
    }
}
