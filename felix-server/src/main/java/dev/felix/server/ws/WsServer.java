package dev.felix.server.ws;

import dev.felix.server.auth.TokenRegistry;
import dev.felix.server.config.GatewayConfig;
import dev.felix.server.config.ServerOptions;
import dev.felix.server.hub.Hub;
import dev.felix.server.metrics.GatewayMetrics;
import dev.felix.server.status.StatusService;
import dev.felix.server.store.Store;
import dev.felix.server.store.TokenRecord;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.internal.ContextInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Felix's WebSocket: the listening socket, the handshake (where the token is checked) and the
 * set of open sessions.
 */
public final class WsServer {
    private static final Logger log = LoggerFactory.getLogger(WsServer.class);
    static final String AUTHORIZATION = "Authorization";
    private static final int CLOSING_TIMEOUT_SECONDS = 5;
    /** The subprotocol a browser offers, beside its token, and that the server then answers with. */
    public static final String SUBPROTOCOL = "felix.v1";
    /** Prefix of the subprotocol that carries the token for clients that cannot set headers. */
    public static final String TOKEN_SUBPROTOCOL_PREFIX = "felix.token.";

    private final Vertx vertx;
    private final GatewayConfig config;
    private final TokenRegistry tokens;
    private final GatewayMetrics metrics;
    private final SessionServices services;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final WsStats stats = new WsStats();
    /** Open or opening sessions per token id, for the per-token connection limit. */
    private final Map<Long, Integer> connectionsPerToken = new ConcurrentHashMap<>();
    /** Handshake deadline timers of connections that have not upgraded yet, by remote address. */
    private final Map<String, Long> handshakeTimers = new ConcurrentHashMap<>();
    private HttpServer server;

    public WsServer(Vertx vertx, GatewayConfig config, TokenRegistry tokens, Hub hub, Store store,
                    StatusService status, GatewayMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.tokens = tokens;
        this.metrics = metrics;
        SessionSettings settings = new SessionSettings(config.pingInterval(), config.maxMessageBytes(),
                config.maxListenIds(), config.maxQueuedBytes(), config.maxInboundPerSecond(), config.inboundBurst());
        this.services = new SessionServices(settings, hub, store, status, stats, metrics);
        metrics.gaugeOpenConnections(sessions::size);
        tokens.onRevoked(this::closeSessionsOf);
    }

    /** Binds the port; the future gives the actual port (useful with port 0). */
    public Future<Integer> start() {
        HttpServerOptions options = ServerOptions.forPort(config, config.wsPort())
                // A peer that never answers a close frame loses its TCP connection after this.
                .setWebSocketClosingTimeout(CLOSING_TIMEOUT_SECONDS)
                // Netty closes with 1009 on a frame above this; larger messages made of
                // fragments are counted by the session itself.
                .setMaxWebSocketFrameSize(config.maxMessageBytes())
                .setMaxWebSocketMessageSize(config.maxMessageBytes())
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                // Netty answers with this when the client offers it (browsers passing their token).
                .addWebSocketSubProtocol(SUBPROTOCOL);
        server = vertx.createHttpServer(options)
                .connectionHandler(this::startHandshakeDeadline)
                .webSocketHandshakeHandler(this::handshake)
                .requestHandler(req -> req.response().setStatusCode(426)
                        .putHeader("Content-Type", "text/plain")
                        .end("Felix's WebSocket: connect with a WebSocket client\n"));
        return server.listen().map(HttpServer::actualPort);
    }

    private void handshake(ServerWebSocketHandshake hs) {
        String remote = String.valueOf(hs.remoteAddress());
        String userAgent = hs.headers().get("User-Agent");
        String offered = offeredToken(hs.headers());
        TokenRecord token = tokens.find(offered);
        if (!tokens.isPrivate(token)) {
            GatewayMetrics.Refusal reason = offered == null || offered.isBlank() ? GatewayMetrics.Refusal.MISSING_TOKEN
                    : token == null ? GatewayMetrics.Refusal.UNKNOWN_TOKEN : GatewayMetrics.Refusal.PUBLIC_TOKEN;
            log.info("refused {} (User-Agent: {}): {}", remote, userAgent, reason.name().toLowerCase().replace('_', ' '));
            metrics.handshakeRefused(reason);
            hs.reject(403);
            return;
        }
        if (!reserveConnection(token)) {
            stats.connectionLimitRefusal();
            log.info("refused {} (User-Agent: {}): token {} already holds {} connections", remote, userAgent,
                    token.id(), config.maxConnectionsPerToken());
            hs.reject(429);
            return;
        }
        cancelHandshakeDeadline(remote);
        metrics.handshakeAccepted();
        hs.accept().onComplete(ar -> {
            if (ar.failed()) {
                releaseConnection(token);
                return;
            }
            Session session = new Session(ar.result(), ContextInternal.current(), services, token, remote, userAgent);
            sessions.add(session);
            session.start(() -> {
                sessions.remove(session);
                releaseConnection(token);
            });
        });
    }

    /**
     * The token a client offers: the {@code Authorization} header as is, else, for browsers, the
     * {@code felix.token.<token>} subprotocol offered together with {@code felix.v1}.
     */
    static String offeredToken(MultiMap headers) {
        String authorization = headers.get(AUTHORIZATION);
        if (authorization != null) {
            return authorization;
        }
        List<String> offered = new ArrayList<>();
        for (String header : headers.getAll("Sec-WebSocket-Protocol")) {
            for (String protocol : header.split(",")) {
                offered.add(protocol.trim());
            }
        }
        if (!offered.contains(SUBPROTOCOL)) {
            return null;
        }
        for (String protocol : offered) {
            if (protocol.startsWith(TOKEN_SUBPROTOCOL_PREFIX)) {
                return protocol.substring(TOKEN_SUBPROTOCOL_PREFIX.length());
            }
        }
        return null;
    }

    // ---- connection limits ------------------------------------------------------------------

    private boolean reserveConnection(TokenRecord token) {
        int max = config.maxConnectionsPerToken();
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

    private void releaseConnection(TokenRecord token) {
        connectionsPerToken.computeIfPresent(token.id(), (id, n) -> n <= 1 ? null : n - 1);
    }

    /** Runs on the connection's loop as soon as it is accepted, before any request is read. */
    private void startHandshakeDeadline(HttpConnection conn) {
        String remote = String.valueOf(conn.remoteAddress());
        long timer = vertx.setTimer(config.handshakeTimeout().toMillis(), id -> {
            if (handshakeTimers.remove(remote, id)) {
                stats.handshakeTimeout();
                log.info("closed {}: no WebSocket upgrade within {} ms", remote, config.handshakeTimeout().toMillis());
                conn.close();
            }
        });
        handshakeTimers.put(remote, timer);
        conn.closeHandler(v -> cancelHandshakeDeadline(remote));
    }

    private void cancelHandshakeDeadline(String remote) {
        Long timer = handshakeTimers.remove(remote);
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
    }

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
     * Stops accepting connections and closes every session with 1001, waiting for the close
     * handshakes (each bounded by Vert.x's closing timeout).
     */
    public Future<Void> stop() {
        if (server == null) {
            return Future.succeededFuture();
        }
        List<Future<Void>> closing = new ArrayList<>();
        for (Session s : sessions) {
            closing.add(s.close((short) 1001, "server shutting down"));
        }
        return Future.join(closing).eventually(() -> server.close()).mapEmpty();
    }
}
