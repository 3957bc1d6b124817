package dev.felix.server;

import dev.felix.server.auth.TokenRegistry;
import dev.felix.server.config.GatewayConfig;
import dev.felix.server.config.ServerOptions;
import dev.felix.server.connections.ConnectionLimits;
import dev.felix.server.entries.EntryService;
import dev.felix.server.hub.Hub;
import dev.felix.server.metrics.GatewayMetrics;
import dev.felix.server.rest.HttpWire;
import dev.felix.server.rest.OpsRoutes;
import dev.felix.server.rest.RestApi;
import dev.felix.server.status.StatusService;
import dev.felix.server.statuspage.StatusPage;
import dev.felix.server.store.Store;
import dev.felix.server.store.postgres.PostgresSettings;
import dev.felix.server.store.postgres.PostgresStore;
import dev.felix.server.store.sqlite.SqliteStore;
import dev.felix.server.ws.WsServer;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;

import static dev.felix.server.config.Settings.DATA;
import static dev.felix.server.config.Settings.DB_URL;
import static dev.felix.server.config.Settings.HOST;
import static dev.felix.server.config.Settings.HTTP_PORT;
import static dev.felix.server.config.Settings.MAX_CONNECTIONS;
import static dev.felix.server.config.Settings.MAX_CONNECTIONS_PER_IP;
import static dev.felix.server.config.Settings.SHUTDOWN_DRAIN;
import static dev.felix.server.config.Settings.STATUS_TTL;
import static dev.felix.server.config.Settings.TOKEN_POLL_INTERVAL;
import static dev.felix.server.config.Settings.WRITE_DEADLINE;
import static dev.felix.server.config.Settings.WS_PORT;

/**
 * One running gateway: store, token registry, status, hub, Felix's WebSocket and the REST API,
 * wired together. {@link #start(GatewayConfig)} returns once both ports are bound.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    static {
        // Vert.x logs through SLF4J like the rest of the gateway.
        System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    }

    private final GatewayConfig config;
    private final Vertx vertx;
    private final Store store;
    private final TokenRegistry tokens;
    private final StatusService status;
    private final Hub hub;
    private final WsServer ws;
    private final ConnectionLimits limits;
    private final GatewayMetrics metrics;
    private final EntryService entries;
    private HttpServer http;
    private int wsPort;
    private int httpPort;
    private volatile boolean closed;
    private volatile boolean bound;

    private Gateway(GatewayConfig config, Store store) {
        this.config = config;
        this.store = store;
        this.vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        this.tokens = new TokenRegistry(store, config.get(TOKEN_POLL_INTERVAL));
        this.status = new StatusService(config.get(STATUS_TTL));
        this.metrics = new GatewayMetrics();
        metrics.gaugeStatusReporters(() -> status.reports().size());
        this.entries = new EntryService(store, metrics);
        metrics.gaugeStoreWritable(store);
        this.hub = new Hub(metrics);
        store.onChange(hub::publish);
        store.onStatus(status::onPublished);
        this.limits = new ConnectionLimits(config.get(MAX_CONNECTIONS), config.get(MAX_CONNECTIONS_PER_IP));
        metrics.bindConnectionLimits(limits);
        this.ws = new WsServer(vertx, config, tokens, hub, store, status, metrics, limits);
        metrics.bindWebSocketStats(ws.stats());
    }

    /** Opens the store the configuration names and starts serving. */
    public static Gateway start(GatewayConfig config) {
        return start(config, openStore(config));
    }

    /** Starts serving on a store the caller opened; the gateway closes it on {@link #close()}. */
    public static Gateway start(GatewayConfig config, Store store) {
        Gateway gateway = new Gateway(config, store);
        try {
            gateway.bind();
        } catch (RuntimeException e) {
            gateway.close();
            throw e;
        }
        return gateway;
    }

    /** The store a configuration names: SQLite in the data directory unless a database URL is given. */
    public static Store openStore(GatewayConfig config) {
        if (config.usesPostgres()) {
            return PostgresStore.open(PostgresSettings.of(config));
        }
        return SqliteStore.open(config.get(DATA), config.get(WRITE_DEADLINE));
    }

    private void bind() {
        Router router = Router.router(vertx);
        new OpsRoutes(vertx, store, metrics, () -> bound && !closed).mount(router);
        new RestApi(config, entries, store, tokens, status).mount(router);
        new StatusPage(() -> wsPort).mount(router);
        HttpServerOptions options = ServerOptions.rest(config);
        wsPort = listen("WebSocket", "--ws-port", config.get(WS_PORT), ws.start());
        http = vertx.createHttpServer(options)
                .connectionHandler(connection -> {
                    if (limits.admit(HttpWire.channel(connection), ConnectionLimits.Port.HTTP)) {
                        HttpWire.install(connection, options);
                    }
                })
                .requestHandler(drainable(RestApi.front(router)))
                .invalidRequestHandler(RestApi::answerInvalid);
        httpPort = listen("REST", "--http-port", config.get(HTTP_PORT), http.listen().map(HttpServer::actualPort));
        bound = true;
        log.info("Felix's WebSocket on {}://{}:{}, REST API on {}://{}:{}, store {}",
                config.tls() ? "wss" : "ws", config.get(HOST), wsPort, config.tls() ? "https" : "http",
                config.get(HOST), httpPort, config.get(DB_URL) == null ? config.get(DATA).toAbsolutePath() : "PostgreSQL");
        if (!config.tls() && !isLoopback(config.get(HOST))) {
            log.warn("plain ws:// and http:// on {}, reachable from other machines: tokens and entries travel unencrypted; "
                    + "give --tls-cert and --tls-key, or --host 127.0.0.1 behind a TLS-terminating proxy",
                    config.get(HOST));
        }
    }

    /** Whether every address the host name stands for is on this machine; 0.0.0.0 is every interface, so not. */
    private static boolean isLoopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Requests arriving once {@link #close()} began are answered 503 instead of being served. */
    private Handler<HttpServerRequest> drainable(Handler<HttpServerRequest> serve) {
        return request -> {
            if (closed) {
                RestApi.answerShuttingDown(request);
            } else {
                serve.handle(request);
            }
        };
    }

    /** Waits for a port to be bound; a failure says which of the two ports it was, as the operator set it. */
    private int listen(String name, String option, int port, Future<Integer> binding) {
        try {
            return binding.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new StartException("cannot open the " + name + " port " + port + " on " + config.get(HOST) + " ("
                    + option + "): " + (e.getMessage() == null ? e : e.getMessage()), e);
        }
    }

    public int wsPort() {
        return wsPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public GatewayConfig config() {
        return config;
    }

    public Store store() {
        return store;
    }

    /** Every read and write of an entry goes through this, whoever makes it. */
    public EntryService entries() {
        return entries;
    }

    public TokenRegistry tokens() {
        return tokens;
    }

    public StatusService status() {
        return status;
    }

    public Hub hub() {
        return hub;
    }

    /** The connections open on both ports, against their limits. */
    public ConnectionLimits connections() {
        return limits;
    }

    /** Felix's WebSocket: its sessions and their counters. */
    public WsServer webSocket() {
        return ws;
    }

    public Vertx vertx() {
        return vertx;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    /**
     * Graceful stop: closes every socket with 1001, lets in-flight REST requests finish, commits
     * queued writes, then releases the store and the event loops.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Both at once, so the whole stop stays within the 10 s an orchestrator usually grants
        // after SIGTERM even when clients do not answer the close frame.
        Future<Void> sockets = ws.stop();
        // The REST port stays open a moment first: a kept-alive client's next request is answered 503
        // with Connection: close (see drainable) instead of meeting a reset as the port closes.
        Future<Void> rest = http == null ? Future.succeededFuture()
                : vertx.timer(config.get(SHUTDOWN_DRAIN).toMillis()).compose(v -> http.shutdown(4, TimeUnit.SECONDS));
        try {
            Future.join(sockets, rest).await(6, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("closing sockets and in-flight requests did not finish: {}", e.toString());
        }
        tokens.close();
        status.close();
        store.close();
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("stopping event loops did not finish: {}", e.toString());
        }
        metrics.close();
        log.info("gateway stopped");
    }
}
