package dev.felix.server.ws;

import dev.felix.server.auth.TokenRegistry;
import dev.felix.server.connections.ConnectionLimits;
import dev.felix.server.connections.RateLimitedLog;
import dev.felix.server.config.GatewayConfig;
import dev.felix.server.config.ServerOptions;
import dev.felix.server.hub.Hub;
import dev.felix.server.metrics.GatewayMetrics;
import dev.felix.server.status.StatusService;
import dev.felix.server.store.Store;
import dev.felix.server.store.TokenRecord;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vertx.core.Vertx;

import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static dev.felix.server.config.Settings.HOST;
import static dev.felix.server.config.Settings.MAX_CONNECTIONS_PER_TOKEN;
import static dev.felix.server.config.Settings.MAX_LISTEN_IDS;
import static dev.felix.server.config.Settings.MAX_MESSAGES_PER_SECOND;
import static dev.felix.server.config.Settings.MAX_MESSAGE_BYTES;
import static dev.felix.server.config.Settings.MAX_QUEUED_BYTES;
import static dev.felix.server.config.Settings.MESSAGE_BURST;
import static dev.felix.server.config.Settings.PING_INTERVAL;
import static dev.felix.server.config.Settings.WS_PORT;

/**
 * Felix's WebSocket: the listening socket, its connections' pipelines and the set of open sessions.
 *
 * <p>The port runs its own Netty pipeline on event loops of its own ({@code felix-ws-N}) rather
 * than Vert.x's {@code ServerWebSocket}: an idle Vert.x socket keeps its upgrade request, response
 * and two message queues (about 11 KiB of heap), a bare pipeline about 2 KiB, and a fan-out write
 * goes straight to the channel. The REST port stays on Vert.x, whose loops only its internal API
 * would hand out.
 *
 * <p>Threads: each connection lives on the event loop that accepted it; its handshake and its
 * session run there, and the only ways in from other threads are the hub's hop and
 * {@link Session#close}.
 */
public final class WsServer {
    /** How long a peer gets to answer a close frame before its TCP connection is dropped. */
    static final long CLOSING_TIMEOUT_MS = 5000;
    /** The largest handshake request (line and headers); a WebSocket upgrade has no body. */
    private static final int MAX_REQUEST_BYTES = 16 * 1024;
    /** The subprotocol a browser offers, beside its token, and that the server then answers with. */
    public static final String SUBPROTOCOL = "felix.v1";
    /** Prefix of the subprotocol that carries the token for clients that cannot set headers. */
    public static final String TOKEN_SUBPROTOCOL_PREFIX = "felix.token.";
    /** User-Agents kept for sharing; later new ones are each kept by their own sessions. */
    private static final int MAX_SHARED_USER_AGENTS = 256;

    private final Vertx vertx;
    private final GatewayConfig config;
    private final TokenRegistry tokens;
    private final GatewayMetrics metrics;
    private final SessionServices services;
    private final WebSocketDecoderConfig frames;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    /** What every session calls once closed; one for all of them. */
    final Consumer<Session> onClosed = this::closed;
    private final WsStats stats = new WsStats(sessions);
    /** Open or opening sessions per token id, for the per-token connection limit. */
    private final Map<Long, Integer> connectionsPerToken = new ConcurrentHashMap<>();
    /**
     * One copy of each User-Agent seen, which every session logged with it shares (a few clients serve
     * most connections); bounded, so that varied agents cannot grow it.
     */
    private final Map<String, String> userAgents = new ConcurrentHashMap<>();
    /** Epoll where the platform has it, as Vert.x prefers for the REST port; NIO elsewhere. */
    private final boolean epoll = Epoll.isAvailable();
    /** Accepts on one of its loops and runs every connection on one (as many as Netty's default, 2 per core). */
    private final EventLoopGroup loops;
    private Channel listener;
    private final ConnectionLimits limits;
    /** Refused handshakes are logged through this: anyone reaching the port can cause them. */
    private final RateLimitedLog refusals = new RateLimitedLog(LoggerFactory.getLogger(Handshake.class),
            "refused handshakes");

    public WsServer(Vertx vertx, GatewayConfig config, TokenRegistry tokens, Hub hub, Store store,
                    StatusService status, GatewayMetrics metrics, ConnectionLimits limits) {
        this.vertx = vertx;
        this.limits = limits;
        this.config = config;
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.loops = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("felix-ws"), io);
        this.tokens = tokens;
        this.metrics = metrics;
        SessionSettings settings = new SessionSettings(config.get(PING_INTERVAL), config.get(MAX_MESSAGE_BYTES),
                config.get(MAX_LISTEN_IDS), config.get(MAX_QUEUED_BYTES), config.get(MAX_MESSAGES_PER_SECOND),
                config.get(MESSAGE_BURST));
        this.services = new SessionServices(settings, new Pings(settings.pingInterval()), hub, store, status, stats, metrics);
        this.frames = WebSocketDecoderConfig.newBuilder()
                // Netty refuses a larger frame with 1009; larger messages made of fragments are
                // counted by the frame rules.
                .maxFramePayloadLength(config.get(MAX_MESSAGE_BYTES))
                .allowExtensions(false)
                // The session writes the close frame, with a reason a person can read.
                .closeOnProtocolViolation(false)
                .build();
        metrics.gaugeOpenConnections(sessions::size);
        tokens.onRevoked(this::closeSessionsOf);
    }

    /** Binds the port; the future gives the actual port (useful with port 0). */
    public Future<Integer> start() {
        SslContext tls;
        try {
            tls = config.tls() ? SslContextBuilder.forServer(ServerOptions.keyManagers(config, vertx))
                    .protocols(ServerOptions.TLS_PROTOCOLS).ciphers(ServerOptions.TLS_CIPHERS).build() : null;
        } catch (Exception e) {
            return Future.failedFuture(new IllegalStateException("cannot read the TLS certificate or key: "
                    + e.getMessage(), e));
        }
        Class<? extends ServerChannel> channel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops)
                .channel(channel)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // One for all connections: the guesses are per channel, in the handle each one makes.
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator())
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, OutboundBound.waterMark(services.settings().maxQueuedBytes()))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                        }
                        if (!limits.admit(ch, ConnectionLimits.Port.WS)) {
                            return;
                        }
                        ch.pipeline().addLast(Handshake.HTTP_CODEC, new HttpServerCodec())
                                .addLast(Handshake.REQUEST_AGGREGATOR, new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast("handshake", new Handshake(WsServer.this, frames));
                    }
                });
        Promise<Integer> bound = Promise.promise();
        ChannelFuture bind = bootstrap.bind(config.get(HOST), config.get(WS_PORT));
        bind.addListener(f -> {
            if (f.isSuccess()) {
                listener = bind.channel();
                bound.complete(((InetSocketAddress) listener.localAddress()).getPort());
            } else {
                bound.fail(f.cause());
            }
        });
        return bound.future();
    }

    // ---- what the handshake asks of the server ----------------------------------------------

    GatewayConfig config() {
        return config;
    }

    TokenRegistry tokens() {
        return tokens;
    }

    RateLimitedLog refusals() {
        return refusals;
    }

    GatewayMetrics metrics() {
        return metrics;
    }

    SessionServices services() {
        return services;
    }

    /** Counts a connection against its token's limit; false when the token holds its most already. */
    boolean reserveConnection(TokenRecord token) {
        int max = config.get(MAX_CONNECTIONS_PER_TOKEN);
        boolean[] reserved = {false};
        connectionsPerToken.compute(token.id(), (id, n) -> {
            int current = n == null ? 0 : n;
            if (current >= max) {
                return n;
            }
            reserved[0] = true;
            return current + 1;
        });
        return reserved[0];
    }

    void releaseConnection(TokenRecord token) {
        connectionsPerToken.computeIfPresent(token.id(), (id, n) -> n <= 1 ? null : n - 1);
    }

    /** The shared copy of a User-Agent (null stays null). */
    String userAgent(String agent) {
        if (agent == null) {
            return null;
        }
        String known = userAgents.get(agent);
        if (known != null) {
            return known;
        }
        if (userAgents.size() < MAX_SHARED_USER_AGENTS) {
            known = userAgents.putIfAbsent(agent, agent);
        }
        return known != null ? known : agent;
    }

    void opened(Session session) {
        sessions.add(session);
    }

    void closed(Session session) {
        sessions.remove(session);
        releaseConnection(session.token());
    }

    // ---- for the gateway ------------------------------------------------------------------------

    /** Counters: queued bytes, slow consumers, limits hit. */
    public WsStats stats() {
        return stats;
    }

    /** Open sessions now. */
    public int sessionCount() {
        return sessions.size();
    }

    private void closeSessionsOf(TokenRecord revoked) {
        for (Session s : sessions) {
            if (s.token().id() == revoked.id()) {
                s.close((short) 1008, "token revoked");
            }
        }
    }

    /**
     * Stops accepting connections, then closes every session with 1001 and waits for the close
     * handshakes (each bounded by {@link #CLOSING_TIMEOUT_MS}).
     */
    public Future<Void> stop() {
        Promise<Void> unbound = Promise.promise();
        if (listener == null) {
            unbound.complete();
        } else {
            listener.close().addListener(f -> unbound.complete());
        }
        return unbound.future().compose(v -> {
            List<Future<Void>> closing = new ArrayList<>();
            for (Session s : sessions) {
                closing.add(s.close((short) 1001, "server shutting down"));
            }
            return Future.join(closing);
        }).transform(closed -> {
            Promise<Void> stopped = Promise.promise();
            // Every session has sent its close (or given up on it): nothing is left to run on the loops.
            loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).addListener(f -> stopped.complete());
            return stopped.future();
        });
    }
}
