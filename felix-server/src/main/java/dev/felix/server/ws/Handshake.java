package dev.felix.server.ws;

import dev.felix.server.auth.TokenRegistry;
import dev.felix.server.connections.RateLimitedLog;
import dev.felix.server.metrics.GatewayMetrics;
import dev.felix.server.store.TokenRecord;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker13;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static dev.felix.server.config.Settings.HANDSHAKE_TIMEOUT;
import static dev.felix.server.config.Settings.MAX_CONNECTIONS_PER_TOKEN;

/**
 * The HTTP part of a connection, up to the upgrade: where the token is checked, the per-token
 * limit applied and the deadline for upgrading kept. On success it sets up the connection's
 * pipeline (frame codec, {@link OutboundBound}, {@link FrameBudget}, {@link FrameRules}, {@link Session})
 * and leaves it. Runs on the connection's event loop.
 */
final class Handshake extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final int MAX_LOGGED_USER_AGENT = 200;
    private static final Logger log = LoggerFactory.getLogger(Handshake.class);
    /** Rate-limited: whatever a client's request sets off, it can send again and again. */
    private static final RateLimitedLog UNEXPECTED = new RateLimitedLog(log, "unexpected handshake errors");
    /** Names of the HTTP handlers in front of this one, which leave the pipeline at the upgrade. */
    static final String HTTP_CODEC = "http";
    static final String REQUEST_AGGREGATOR = "request";
    private static final byte[] NOT_A_WEBSOCKET = "Felix's WebSocket: connect with a WebSocket client\n"
            .getBytes(StandardCharsets.UTF_8);

    private static final SharedFrameEncoder FRAME_ENCODER = new SharedFrameEncoder();

    private final WsServer server;
    private final WebSocketDecoderConfig frames;
    private ScheduledFuture<?> deadline;

    Handshake(WsServer server, WebSocketDecoderConfig frames) {
        this.server = server;
        this.frames = frames;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long timeout = server.config().get(HANDSHAKE_TIMEOUT).toMillis();
        deadline = ctx.executor().schedule(() -> {
            server.stats().handshakeTimeout();
            server.refusals().info("closed {}: no WebSocket upgrade within {} ms", address(ctx.channel()), timeout);
            ctx.close();
        }, timeout, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        deadline.cancel(false);
        ctx.fireChannelInactive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            respond(ctx, HttpResponseStatus.BAD_REQUEST, false);
            return;
        }
        if (!request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.UPGRADE_REQUIRED, Unpooled.wrappedBuffer(NOT_A_WEBSOCKET));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
            send(ctx, response, HttpUtil.isKeepAlive(request));
            return;
        }
        upgrade(ctx, request);
    }

    /**
     * The User-Agent as logged (with every connection opened, closed or refused): cut, so that
     * anyone able to reach the port cannot write kilobytes of log per request.
     */
    private static String shortened(String userAgent) {
        return userAgent == null || userAgent.length() <= MAX_LOGGED_USER_AGENT ? userAgent
                : userAgent.substring(0, MAX_LOGGED_USER_AGENT) + "…";
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request) {
        String offered = offeredToken(request.headers());
        CompletableFuture<TokenRecord> lookup = server.tokens().resolve(offered);
        if (lookup.isDone()) {
            lookup.whenComplete((token, e) -> upgrade(ctx, request, offered, token, e));
            return;
        }
        // A session token minted on another node: nothing more is read until the store has answered.
        request.retain();
        ctx.channel().config().setAutoRead(false);
        // Hop: the registry looks the token up on its own thread; the upgrade goes on on this loop.
        lookup.whenCompleteAsync((token, e) -> {
            try {
                ctx.channel().config().setAutoRead(true);
                if (ctx.channel().isActive()) {
                    upgrade(ctx, request, offered, token, e);
                }
            } finally {
                request.release();
            }
        }, ctx.executor());
    }

    /** {@code unchecked} is set when the token could not be checked, which says nothing about it: retry later. */
    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, String offered, TokenRecord token,
                         Throwable unchecked) {
        Channel ch = ctx.channel();
        String remote = address(ch);
        String userAgent = server.userAgent(shortened(request.headers().get(HttpHeaderNames.USER_AGENT)));
        if (unchecked != null) {
            Throwable why = unchecked instanceof CompletionException && unchecked.getCause() != null
                    ? unchecked.getCause() : unchecked;
            server.refusals().info("refused {} (User-Agent: {}): token not checked: {}", remote, userAgent,
                    why.getMessage());
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.SERVICE_UNAVAILABLE, Unpooled.EMPTY_BUFFER);
            response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
            send(ctx, response, false);
            return;
        }
        TokenRegistry tokens = server.tokens();
        if (!tokens.isPrivate(token)) {
            GatewayMetrics.Refusal reason = offered == null || offered.isBlank() ? GatewayMetrics.Refusal.MISSING_TOKEN
                    : token == null ? GatewayMetrics.Refusal.UNKNOWN_TOKEN : GatewayMetrics.Refusal.PUBLIC_TOKEN;
            server.refusals().info("refused {} (User-Agent: {}): {}", remote, userAgent, reason.name().toLowerCase().replace('_', ' '));
            server.metrics().handshakeRefused(reason);
            respond(ctx, HttpResponseStatus.FORBIDDEN, false);
            return;
        }
        if (!server.reserveConnection(token)) {
            server.stats().connectionLimitRefusal();
            server.refusals().info("refused {} (User-Agent: {}): token {} already holds {} connections", remote, userAgent,
                    token.id(), server.config().get(MAX_CONNECTIONS_PER_TOKEN));
            respond(ctx, HttpResponseStatus.TOO_MANY_REQUESTS, false);
            return;
        }
        if (!"13".equals(request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
            server.releaseConnection(token);
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ch);
            return;
        }
        String invalid = invalidUpgrade(request);
        if (invalid != null) {
            server.releaseConnection(token);
            server.refusals().info("refused {} (User-Agent: {}): {}", remote, userAgent, invalid);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST,
                    Unpooled.copiedBuffer(invalid + "\n", StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            send(ctx, response, false);
            return;
        }
        Rfc6455 handshaker = new Rfc6455("ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost")
                + request.uri(), frames);
        FullHttpResponse switching;
        try {
            switching = handshaker.answer(request);
        } catch (WebSocketHandshakeException e) {
            server.releaseConnection(token);
            server.refusals().info("refused {} (User-Agent: {}): {}", remote, userAgent, e.getMessage());
            respond(ctx, HttpResponseStatus.BAD_REQUEST, false);
            return;
        }
        deadline.cancel(false);
        server.metrics().handshakeAccepted();
        SessionServices services = server.services();
        Peer peer = new Peer(ch.remoteAddress(), userAgent, token.id());
        FrameRules rules = new FrameRules(peer, services.settings(), services.pings());
        Session session = new Session(ch, services, token, peer, server.onClosed);
        server.opened(session);
        ctx.writeAndFlush(switching).addListener(f -> {
            if (f.isSuccess()) {
                rules.start(ch.eventLoop());
            } else {
                ch.close();
            }
        });
        if (token.expires() != null) {
            long left = Math.max(0, token.expires().toEpochMilli() - System.currentTimeMillis());
            ScheduledFuture<?> expiry = ch.eventLoop().schedule(() -> session.close((short) 1008, "token expired"),
                    left, TimeUnit.MILLISECONDS);
            ch.closeFuture().addListener(f -> expiry.cancel(false));
        }
        // The 101 is encoded; the frame codec takes over in this same step. Bytes a client sent right
        // behind its request, before reading the 101 (RFC 6455 says it must wait; some do not), are
        // still in the HTTP decoder, which hands them to the handler after it as it leaves: the frame
        // decoder. From here the frames pass the budget and the rules, and the session sees whole
        // messages and the channel's end; what it writes passes the rules and the slow-consumer bound.
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.replace(this, "session", session);
        pipeline.addBefore("session", "frame-decoder", handshaker.decoder());
        pipeline.addBefore("session", "frame-encoder", FRAME_ENCODER);
        pipeline.addBefore("session", "slow-consumer-bound", new OutboundBound(peer, services.stats()));
        pipeline.addBefore("session", "frame-budget", new FrameBudget(peer, services.settings(), services.stats()));
        pipeline.addBefore("session", "frame-rules", rules);
        pipeline.remove(REQUEST_AGGREGATOR);
        pipeline.remove(HTTP_CODEC);
    }

    /**
     * Why a request is not a valid opening handshake (RFC 6455 §4.2.1), or null when it is: it must
     * be HTTP/1.1 with one Host and one Sec-WebSocket-Key that is 16 bytes in base64 (§11.3.1).
     */
    static String invalidUpgrade(FullHttpRequest request) {
        if (!HttpVersion.HTTP_1_1.equals(request.protocolVersion())) {
            return "a WebSocket upgrade needs HTTP/1.1, not " + request.protocolVersion().text();
        }
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() != 1 || hosts.get(0).isBlank()) {
            return hosts.isEmpty() ? "no Host header" : "Host must be one non-empty header";
        }
        List<String> keys = request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        if (keys.size() != 1) {
            return keys.isEmpty() ? "no Sec-WebSocket-Key" : "more than one Sec-WebSocket-Key";
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(keys.get(0).trim());
        } catch (IllegalArgumentException e) {
            key = null;
        }
        if (key == null || key.length != 16) {
            return "Sec-WebSocket-Key must be 16 bytes in base64";
        }
        return null;
    }

    /**
     * The token a client offers: the {@code Authorization} header as is, else, for browsers, the
     * {@code felix.token.<token>} subprotocol offered together with {@code felix.v1}.
     */
    static String offeredToken(HttpHeaders headers) {
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null) {
            return authorization;
        }
        List<String> offered = new ArrayList<>();
        for (String header : headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) {
            for (String protocol : header.split(",")) {
                offered.add(protocol.trim());
            }
        }
        if (!offered.contains(WsServer.SUBPROTOCOL)) {
            return null;
        }
        for (String protocol : offered) {
            if (protocol.startsWith(WsServer.TOKEN_SUBPROTOCOL_PREFIX)) {
                return protocol.substring(WsServer.TOKEN_SUBPROTOCOL_PREFIX.length());
            }
        }
        return null;
    }

    /** {@code host:port} of the peer, as logged. */
    static String address(Channel ch) {
        return Peer.format(ch.remoteAddress());
    }

    /** Netty's RFC 6455 handshaker, opened up so that the pipeline switches in the same step as the answer. */
    private static final class Rfc6455 extends WebSocketServerHandshaker13 {
        Rfc6455(String url, WebSocketDecoderConfig frames) {
            super(url, WsServer.SUBPROTOCOL, frames);
        }

        /** The 101 answer, with the accept key and the subprotocol; throws when the request is not a valid upgrade. */
        FullHttpResponse answer(FullHttpRequest request) {
            return newHandshakeResponse(request, null);
        }

        WebSocketFrameDecoder decoder() {
            return newWebsocketDecoder();
        }
    }

    /** Netty's frame encoder keeps nothing per channel (server frames are not masked): one serves every connection. */
    @ChannelHandler.Sharable
    private static final class SharedFrameEncoder extends WebSocket13FrameEncoder {
        SharedFrameEncoder() {
            super(false);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable e) {
        if (SocketErrors.ordinary(e)) {
            log.debug("handshake error from {}: {}", address(ctx.channel()), e.toString());
        } else {
            UNEXPECTED.warn("unexpected error in the handshake with {}; closing it", address(ctx.channel()), e);
        }
        ctx.close();
    }

    private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, boolean keepAlive) {
        send(ctx, new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER), keepAlive);
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        HttpUtil.setContentLength(response, response.content().readableBytes());
        HttpUtil.setKeepAlive(response, keepAlive);
        ChannelFuture written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
