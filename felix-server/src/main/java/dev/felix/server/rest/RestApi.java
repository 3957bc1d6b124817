package dev.felix.server.rest;

import dev.felix.protocol.EntryKind;
import dev.felix.server.auth.TokenRegistry;
import dev.felix.server.config.GatewayConfig;
import dev.felix.server.metrics.GatewayMetrics;
import dev.felix.server.store.Entry;
import dev.felix.server.store.EntryJson;
import dev.felix.server.store.Scope;
import dev.felix.server.store.Store;
import dev.felix.server.store.StoreException;
import dev.felix.server.store.TokenRecord;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The REST API on the HTTP port: entries, with Bearer tokens. Every error is a JSON body
 * {@code {status, error, message}}.
 *
 * <p>Threads: handlers run on the event loop; store calls complete on store threads and
 * {@link #await} hops the result back to the request's loop before the response is written.
 */
public final class RestApi {
    private static final Logger log = LoggerFactory.getLogger(RestApi.class);
    static final String JSON = "application/json";

    private final Vertx vertx;
    private final GatewayConfig config;
    private final Store store;
    private final TokenRegistry tokens;
    private final GatewayMetrics metrics;

    public RestApi(Vertx vertx, GatewayConfig config, Store store, TokenRegistry tokens, GatewayMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.store = store;
        this.tokens = tokens;
        this.metrics = metrics;
    }

    /** Mounts the API on a router. */
    public void mount(Router router) {
        router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
        router.get("/api").handler(ctx -> ctx.json(new JsonObject().put("name", "Felix Gateway").put("ok", true)));
        for (EntryKind kind : EntryKind.values()) {
            String path = "/api/" + plural(kind) + "/:id";
            router.get(path).handler(ctx -> getEntry(ctx, kind));
            router.put(path).handler(ctx -> putEntry(ctx, kind));
        }
        router.route("/api/*").last().handler(ctx -> ctx.fail(new ApiError(404, "no such route: "
                + ctx.request().method() + " " + ctx.request().path())));
        router.route().failureHandler(this::onFailure);
    }

    static String plural(EntryKind kind) {
        return kind == EntryKind.GUILD ? "guilds" : "users";
    }

    // ---- handlers ----------------------------------------------------------------------

    private void getEntry(RoutingContext ctx, EntryKind kind) {
        authenticate(ctx, false);
        String id = snowflake(ctx);
        await(store.get(kind, id)).onSuccess(found -> {
            Entry entry = found.orElseThrow(() -> ApiError.notFound(kind.name().toLowerCase() + " " + id + " not found"));
            sendEntry(ctx, 200, entry);
        }).onFailure(ctx::fail);
    }

    private void putEntry(RoutingContext ctx, EntryKind kind) {
        authenticate(ctx, true);
        String id = snowflake(ctx);
        String json = normalizedBody(ctx, id);
        await(metrics.timeWrite(kind, store.put(kind, id, json))).onSuccess(entry -> sendEntry(ctx, 200, entry)).onFailure(ctx::fail);
    }

    // ---- helpers -----------------------------------------------------------------------

    /** Checks the Bearer token; a write needs a private one. Throws the matching {@link ApiError}. */
    private TokenRecord authenticate(RoutingContext ctx, boolean write) {
        String header = ctx.request().getHeader("Authorization");
        if (header == null || header.isBlank()) {
            throw new ApiError(401, "missing Authorization: Bearer <token>");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiError(401, "Authorization must be Bearer <token>");
        }
        TokenRecord token = tokens.find(header.substring(7).trim());
        if (token == null) {
            throw new ApiError(403, "unknown or revoked token");
        }
        if (write && token.scope() != Scope.PRIVATE) {
            throw new ApiError(403, "public tokens may only read");
        }
        return token;
    }

    private static String snowflake(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (!EntryJson.isSnowflake(id)) {
            throw ApiError.badRequest("ID must be a snowflake (1-20 digits), was '" + id + "'");
        }
        return id;
    }

    private static String normalizedBody(RoutingContext ctx, String id) {
        String body = ctx.body().asString();
        if (body == null || body.isBlank()) {
            throw ApiError.badRequest("body must be a JSON object");
        }
        try {
            return EntryJson.normalize(id, body);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }

    private static void sendEntry(RoutingContext ctx, int status, Entry entry) {
        ctx.response().setStatusCode(status)
                .putHeader("Content-Type", JSON)
                .putHeader("ETag", "\"" + entry.seq() + "\"")
                .end(entry.json());
    }

    /** Hop: a store future completes on a store thread; continue on the request's event loop. */
    private <T> Future<T> await(CompletionStage<T> stage) {
        return Future.fromCompletionStage(stage, vertx.getOrCreateContext());
    }

    private void onFailure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (failure instanceof CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        int status;
        String message;
        if (failure instanceof ApiError e) {
            status = e.status();
            message = e.getMessage();
        } else if (failure instanceof StoreException.NotFound e) {
            status = 404;
            message = e.getMessage();
        } else if (failure instanceof StoreException.PreconditionFailed e) {
            status = 412;
            message = e.getMessage();
        } else if (failure == null) {
            status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
            message = status == 413 ? "body larger than " + config.maxBodyBytes() + " bytes"
                    : HttpResponseStatus.valueOf(status).reasonPhrase();
        } else {
            status = 500;
            message = "internal error";
            log.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
        }
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(status)
                .putHeader("Content-Type", JSON)
                .end(error(status, message).encode());
    }

    /** The error body every failure carries. */
    static JsonObject error(int status, String message) {
        return new JsonObject()
                .put("status", status)
                .put("error", HttpResponseStatus.valueOf(status).reasonPhrase())
                .put("message", message);
    }
}
