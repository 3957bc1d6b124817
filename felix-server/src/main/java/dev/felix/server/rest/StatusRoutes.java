package dev.felix.server.rest;

import dev.felix.protocol.StatusReport;
import dev.felix.server.status.StatusService;
import dev.felix.server.store.Store;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.regex.Pattern;

/**
 * Status reporting: bot processes {@code PUT} their part of the status under a reporter name and
 * {@code DELETE} it when they stop; {@code GET /api/status} shows the merged view in the shape of
 * a heartbeat ACK's data.
 *
 * <p>A report goes through the store ({@link Store#publishStatus}) rather than straight to this
 * node's status, so every gateway on the same store shows it.
 */
final class StatusRoutes {
    private static final Pattern REPORTER = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

    private final Store store;
    private final StatusService status;
    private final Auth auth;

    StatusRoutes(Store store, StatusService status, Auth auth) {
        this.store = store;
        this.status = status;
        this.auth = auth;
    }

    void mount(Router router) {
        router.get("/api/status").handler(this::get);
        router.put("/api/status/:reporter").handler(this::put);
        router.delete("/api/status/:reporter").handler(this::delete);
    }

    private void get(RoutingContext ctx) {
        auth.read(ctx);
        ctx.response().putHeader("Content-Type", Replies.JSON)
                .end(Buffer.buffer(status.statusJson(System.currentTimeMillis())));
    }

    private void put(RoutingContext ctx) {
        auth.reporter(ctx);
        String reporter = reporter(ctx);
        StatusReport report;
        Buffer body = ctx.body().buffer();
        try {
            report = StatusReport.fromJson(body == null ? new byte[0] : body.getBytes());
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        publish(ctx, reporter, report.toJson());
    }

    private void delete(RoutingContext ctx) {
        auth.reporter(ctx);
        publish(ctx, reporter(ctx), null);
    }

    private void publish(RoutingContext ctx, String reporter, String json) {
        // Hop: a store may publish over its database connection, which blocks; a worker does it.
        ctx.vertx().executeBlocking(() -> {
            store.publishStatus(reporter, json);
            return null;
        }, false).onSuccess(v -> Replies.noContent(ctx)).onFailure(ctx::fail);
    }

    private static String reporter(RoutingContext ctx) {
        String reporter = ctx.pathParam("reporter");
        if (reporter == null || !REPORTER.matcher(reporter).matches()) {
            throw ApiError.badRequest("reporter must be 1-100 letters, digits or . _ : -, was '" + reporter + "'");
        }
        return reporter;
    }
}
