package dev.felix.server.ws;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The RFC 6455 rules every connection keeps, between the frame codec and the session: pings out and
 * pongs back (liveness), the close handshake, fragments assembled into whole messages under the size
 * limit, and UTF-8. What it passes on are whole text messages, as {@link String}s; binary messages are
 * assembled only to be counted and dropped.
 *
 * <p>It owns the close handshake. Everything written on the channel passes through it: the first close
 * frame goes out (then the peer gets {@link WsServer#CLOSING_TIMEOUT_MS} to answer it), and every frame
 * written after it is dropped. So any handler, and the session, closes by writing a
 * {@link CloseWebSocketFrame} on the channel. Runs on the channel's event loop.
 */
final class FrameRules extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(FrameRules.class);
    private static final ClosedChannelException CLOSING = new ClosedChannelException();

    private final Peer peer;
    private final Pings pings;
    private final int maxMessageBytes;
    private ChannelHandlerContext ctx;
    /** Where {@link Pings} keeps this socket, or -1 while it is not pinged. */
    int pingSlot = -1;
    private boolean pongSeen = true;
    /** Set once a close frame is written: nothing but the close handshake follows it. */
    private boolean closeSent;
    /** The close code the peer sent, the one this side sent, or 1006 (none) for the log. */
    private int closeCode = WebSocketCloseStatus.ABNORMAL_CLOSURE.code();
    private String closeReason = "";
    /** Pongs written during the current read, flushed at its end. */
    private boolean unflushed;
    /**
     * The text message being assembled from fragments: its bytes so far, or null between messages
     * and for binary ones (which are only counted).
     */
    private ByteBuf partial;
    private long partialSize;

    FrameRules(Peer peer, SessionSettings settings, Pings pings) {
        this.peer = peer;
        this.pings = pings;
        this.maxMessageBytes = settings.maxMessageBytes();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Starts pinging; called once the 101 response is out, on the channel's loop (which may be before
     * this handler is in the pipeline: the 101 can be written at once).
     */
    void start(EventExecutor loop) {
        pings.add(this, loop);
        log.info("opened {} token {}", peer, peer.tokenId());
    }

    /** Once per ping interval, from {@link Pings}: a ping, or the end when the last one has no pong. */
    void pingTick() {
        if (!pongSeen) {
            log.info("terminated {}: no pong within {} ms", peer, pings.interval().toMillis());
            // No close handshake: a peer that misses pongs is presumed gone.
            ctx.channel().close();
            return;
        }
        if (!closeSent) {
            pongSeen = false;
            ctx.writeAndFlush(new PingWebSocketFrame(), ctx.voidPromise());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        pings.remove(this, ctx.executor());
        releasePartial();
        log.info("closed {} token {} code={} reason={}", peer, peer.tokenId(), closeCode, closeReason);
        ctx.fireChannelInactive();
    }

    // ---- outbound: the close handshake --------------------------------------------------------

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof CloseWebSocketFrame close) {
            if (closeSent || !ctx.channel().isActive()) {
                drop(msg, promise);
                return;
            }
            closeSent = true;
            closeCode = close.statusCode();
            closeReason = close.reasonText();
            ctx.write(close, promise);
            // The peer's close frame ends the connection; this does when it never comes.
            ctx.executor().schedule(() -> ctx.channel().close(), WsServer.CLOSING_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } else if (closeSent || !ctx.channel().isActive()) {
            drop(msg, promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    /** A frame that may not leave any more; the writer learns it only if it asked (a void promise would raise it). */
    static void drop(Object msg, ChannelPromise promise) {
        ReferenceCountUtil.release(msg);
        if (!promise.isVoid()) {
            promise.tryFailure(CLOSING);
        }
    }

    // ---- inbound ----------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        WebSocketFrame frame = (WebSocketFrame) msg;
        try {
            onFrame(ctx, frame);
        } finally {
            frame.release();
        }
    }

    /** The end of what one read from the socket gave: the session's answers and the pongs leave in one write. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
        if (unflushed) {
            unflushed = false;
            ctx.flush();
        }
    }

    private void onFrame(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof PingWebSocketFrame) {
            if (!closeSent) {
                ctx.write(new PongWebSocketFrame(frame.content().retain()), ctx.voidPromise());
                unflushed = true;
            }
        } else if (frame instanceof PongWebSocketFrame) {
            pongSeen = true;
        } else if (frame instanceof CloseWebSocketFrame close) {
            onClose(ctx, close);
        } else if (!closeSent) {
            // Netty's decoder has checked the fragment order (a continuation always follows a
            // start) and the size of each frame.
            if (frame instanceof ContinuationWebSocketFrame) {
                append(ctx, frame);
            } else if (frame.isFinalFragment()) {
                if (frame instanceof TextWebSocketFrame) {
                    onMessage(ctx, frame.content());
                }
            } else {
                partial = frame instanceof TextWebSocketFrame ? Unpooled.buffer() : null;
                partialSize = 0;
                append(ctx, frame);
            }
        }
    }

    /**
     * The peer's close frame (Netty's decoder passes on only the first): the answer to ours, which
     * ends the connection, or its own, which is echoed (RFC 6455 5.5.1) before the connection ends.
     */
    private void onClose(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
        closeCode = close.statusCode() == -1 ? WebSocketCloseStatus.EMPTY.code() : close.statusCode();
        closeReason = close.reasonText();
        if (closeSent) {
            ctx.channel().close();
            return;
        }
        closeSent = true;
        CloseWebSocketFrame echo = close.statusCode() == -1 ? new CloseWebSocketFrame()
                : new CloseWebSocketFrame(close.statusCode(), close.reasonText());
        ctx.writeAndFlush(echo).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * A whole text message. Closes with 1007 when it is not valid UTF-8, as RFC 6455 requires (a
     * lenient decode would feed replacement characters on).
     */
    private void onMessage(ChannelHandlerContext ctx, ByteBuf message) {
        if (ByteBufUtil.isText(message, StandardCharsets.UTF_8)) {
            ctx.fireChannelRead(message.toString(StandardCharsets.UTF_8));
        } else {
            close(ctx, 1007, "invalid UTF-8");
        }
    }

    private void append(ChannelHandlerContext ctx, WebSocketFrame frame) {
        ByteBuf data = frame.content();
        partialSize += data.readableBytes();
        if (partialSize > maxMessageBytes) {
            releasePartial();
            close(ctx, 1009, tooLarge());
            return;
        }
        if (partial != null) {
            partial.writeBytes(data);
        }
        if (frame.isFinalFragment()) {
            ByteBuf message = partial;
            partial = null;
            partialSize = 0;
            if (message != null) {
                try {
                    onMessage(ctx, message);
                } finally {
                    message.release();
                }
            }
        }
    }

    private void releasePartial() {
        if (partial != null) {
            partial.release();
            partial = null;
        }
        partialSize = 0;
    }

    private String tooLarge() {
        return "message larger than " + maxMessageBytes + " bytes";
    }

    /** Starts the close handshake through {@link #write}, like any other handler's close. */
    private static void close(ChannelHandlerContext ctx, int code, String reason) {
        ctx.channel().writeAndFlush(new CloseWebSocketFrame(code, reason), ctx.channel().voidPromise());
    }

    /**
     * Netty refuses a frame over the size limit (or a malformed one) with an exception and reads
     * nothing more from the socket; the close frame written here tells the client why, and the
     * connection ends right after it. Other errors are the session's to handle.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable e) {
        if (e instanceof CorruptedWebSocketFrameException bad && !closeSent && ctx.channel().isActive()) {
            WebSocketCloseStatus status = bad.closeStatus();
            String reason = status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code() ? tooLarge()
                    : "protocol error";
            log.info("closing {} code={} reason={}: {}", peer, status.code(), reason, bad.getMessage());
            closeSent = true;
            closeCode = status.code();
            closeReason = reason;
            ctx.writeAndFlush(new CloseWebSocketFrame(status.code(), reason)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.fireExceptionCaught(e);
        }
    }
}
