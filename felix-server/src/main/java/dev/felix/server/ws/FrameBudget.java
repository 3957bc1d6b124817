package dev.felix.server.ws;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound frame budget: a token bucket of {@code --message-burst} frames refilled at
 * {@code --max-messages-per-second}. Every frame the peer sends takes one (pings and pongs too, so a
 * client cannot flood with control frames), except close frames; a frame that finds the bucket empty
 * closes the connection with 1008. It still passes on, so the frame rules see its pong. The budget
 * stops counting once a close frame leaves: what the peer sends during the close handshake costs
 * nothing. Runs on the channel's event loop.
 */
final class FrameBudget extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(FrameBudget.class);

    private final Peer peer;
    private final int perSecond;
    private final int burst;
    private final WsStats stats;
    /** Frames that may arrive now. */
    private double tokens;
    private long refilledAt;
    private boolean closing;

    FrameBudget(Peer peer, SessionSettings settings, WsStats stats) {
        this.peer = peer;
        this.perSecond = settings.maxInboundPerSecond();
        this.burst = settings.inboundBurst();
        this.stats = stats;
        this.tokens = burst;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        refilledAt = ctx.executor().ticker().nanoTime();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!closing && !(msg instanceof CloseWebSocketFrame) && !take(ctx.executor().ticker().nanoTime())) {
            closing = true;
            stats.rateLimit();
            log.info("closing {}: more than {} frames per second", peer, perSecond);
            ctx.channel().writeAndFlush(new CloseWebSocketFrame(1008, "rate limit exceeded"),
                    ctx.channel().voidPromise());
        }
        ctx.fireChannelRead(msg);
    }

    /** Takes one frame from the bucket; false when it is empty. */
    private boolean take(long now) {
        tokens = Math.min(burst, tokens + (now - refilledAt) * perSecond / 1e9);
        refilledAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof CloseWebSocketFrame) {
            closing = true;
        }
        ctx.write(msg, promise);
    }
}
