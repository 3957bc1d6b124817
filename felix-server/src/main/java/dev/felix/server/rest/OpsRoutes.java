package dev.felix.server.rest;

import dev.felix.server.metrics.GatewayMetrics;
import dev.felix.server.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What operators and orchestrators poll on the HTTP port, without a token: {@code GET /metrics}
 * (Prometheus text), {@code GET /healthz} (the process answers) and {@code GET /readyz} (the store
 * answers and can write, and both ports are bound).
 */
public final class OpsRoutes {
    private static final Logger log = LoggerFactory.getLogger(OpsRoutes.class);
    private static final String JSON = "application/json";
    /** A store that does not answer a ping within this is as good as unreachable. */
    private static final long PING_TIMEOUT_SECONDS = 5;

    private final Vertx vertx;
    private final Store store;
    private final GatewayMetrics metrics;
    private final BooleanSupplier portsBound;

    public OpsRoutes(Vertx vertx, Store store, GatewayMetrics metrics, BooleanSupplier portsBound) {
        this.vertx = vertx;
        this.store = store;
        this.metrics = metrics;
        this.portsBound = portsBound;
    }

    public void mount(Router router) {
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", GatewayMetrics.contentType())
                .end(metrics.scrape()));
        router.get("/healthz").handler(ctx -> ctx.response().putHeader("Content-Type", JSON)
                .end(new JsonObject().put("status", "UP").encode()));
        router.get("/readyz").handler(this::ready);
    }

    private void ready(RoutingContext ctx) {
        boolean ports = portsBound.getAsBoolean();
        // Hop: the ping may block on JDBC, so it runs on a worker thread; the response is written back on the loop.
        vertx.executeBlocking(store::ping, false)
                .timeout(PING_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .recover(e -> {
                    log.warn("readiness: store ping failed: {}", e.toString());
                    return Future.succeededFuture(false);
                })
                .onComplete(result -> {
                    boolean storeUp = Boolean.TRUE.equals(result.result());
                    Optional<String> cannotWrite = store.cannotWrite();
                    JsonObject checks = new JsonObject().put("store", storeUp).put("writes", cannotWrite.isEmpty())
                            .put("ports", ports);
                    JsonObject body;
                    int status;
                    if (storeUp && cannotWrite.isEmpty() && ports) {
                        status = 200;
                        body = new JsonObject().put("status", "READY").put("checks", checks);
                    } else {
                        status = 503;
                        String why = !storeUp ? "store unreachable"
                                : cannotWrite.isPresent() ? "store cannot write: " + cannotWrite.get() : "ports not bound";
                        body = RestApi.error(status, why).put("checks", checks);
                    }
                    ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).end(body.encode());
                });
    }
}
