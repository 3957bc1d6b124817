package dev.felix.server.rest;

import dev.felix.server.auth.AccessDenied;
import dev.felix.server.auth.TokenRegistry;
import dev.felix.server.config.GatewayConfig;
import dev.felix.server.config.ServerOptions;
import dev.felix.server.entries.EntryService;
import dev.felix.server.entries.InvalidEntry;
import dev.felix.server.status.StatusService;
import dev.felix.server.store.Store;
import dev.felix.server.store.StoreException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;

import static dev.felix.server.config.Settings.CORS_ORIGINS;
import static dev.felix.server.config.Settings.MAX_BODY_BYTES;
import static dev.felix.server.config.Settings.MAX_SESSION_TTL;
import static dev.felix.server.config.Settings.PUBLIC_DAILY_LIMIT;
import static dev.felix.server.config.Settings.REQUEST_BODY_TIMEOUT;

/**
 * The REST API on the HTTP port: entries ({@link EntryRoutes}), the original paths
 * ({@link LegacyRoutes}), status reporting ({@link StatusRoutes}) and the OpenAPI document, with
 * Bearer tokens ({@link Auth}). Every error is a JSON body {@code {status, error, message}}.
 *
 * <p>Threads: handlers run on the event loop; store calls complete on store threads and
 * {@link Replies#await} hops the result back to the request's loop before the response is written.
 */
public final class RestApi {
    private static final Logger log = LoggerFactory.getLogger(RestApi.class);
    static final String OPENAPI_PATH = "/api/openapi.json";
    /** What a 503 for an unavailable store tells clients to wait; its probe runs every second. */
    private static final long STORE_RETRY_AFTER_SECONDS = 1;

    /** The answer to a failure the entries, the tokens or the store raise on purpose; its message is the failure's. */
    private record Known(int status, Map<String, String> headers) {
        Known(int status) {
            this(status, Map.of());
        }
    }

    /**
     * Every failure of the layers below REST that has its own status, by class (each is final, so
     * one lookup finds it); {@link ApiError}s carry their own, anything not known is a 500.
     */
    private static final Map<Class<? extends Throwable>, Known> KNOWN = Map.of(
            InvalidEntry.class, new Known(400),
            AccessDenied.class, new Known(403),
            StoreException.NotFound.class, new Known(404),
            StoreException.PreconditionFailed.class, new Known(412),
            StoreException.Unavailable.class,
            new Known(503, Map.of("Retry-After", Long.toString(STORE_RETRY_AFTER_SECONDS))),
            StoreException.OutcomeUnknown.class, new Known(504),
            StoreException.Full.class, new Known(507));

    private final GatewayConfig config;
    private final EntryService entries;
    private final Store store;
    private final StatusService status;
    private final TokenRegistry tokens;
    private final Auth auth;
    private final JsonObject openApi;

    public RestApi(GatewayConfig config, EntryService entries, Store store, TokenRegistry tokens,
                   StatusService status) {
        this.config = config;
        this.entries = entries;
        this.store = store;
        this.status = status;
        this.tokens = tokens;
        this.auth = new Auth(tokens, new DailyLimit(config.get(PUBLIC_DAILY_LIMIT), System::currentTimeMillis));
        this.openApi = new JsonObject(new String(openApiDocument(), StandardCharsets.UTF_8));
    }

    /** The OpenAPI document of this API, as shipped in the jar. */
    public static byte[] openApiDocument() {
        try (InputStream in = RestApi.class.getResourceAsStream("/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Mounts the API on a router, and makes the router's own errors JSON too. */
    public void mount(Router router) {
        List<String> corsOrigins = config.get(CORS_ORIGINS);
        if (corsOrigins != null && !corsOrigins.isEmpty()) {
            router.route("/api/*").handler(new Cors(corsOrigins));
        }
        // HEAD is GET without the body on every route: Vert.x leaves the body out of a HEAD response.
        router.route().method(HttpMethod.HEAD).handler(ctx -> ctx.reroute(HttpMethod.GET, ctx.request().uri()));
        router.errorHandler(404, ctx -> reply(ctx, 404, "no such route: " + ctx.request().method() + " "
                + ctx.request().path()));
        router.errorHandler(405, ctx -> {
            // The router's own 405s are for paths outside the API (which answers its own, above),
            // all of which are read-only.
            ctx.response().putHeader("Allow", "GET, HEAD");
            reply(ctx, 405, ctx.request().method() + " is not allowed on " + ctx.request().path()
                    + " (allowed: GET, HEAD)");
        });
        // The token is looked up once, first. A body is read only for a write (the only requests that
        // use one) with a private token: else anyone could make the gateway buffer --max-body-bytes per
        // connection. (A route for every method, so that it is not taken for one of the API's own below.)
        BodyHandler body = BodyHandler.create(false).setBodyLimit(config.get(MAX_BODY_BYTES));
        router.route("/api/*").handler(ctx -> {
            HttpMethod method = ctx.request().method();
            boolean writes = method == HttpMethod.PUT || method == HttpMethod.PATCH || method == HttpMethod.POST;
            if (writes) {
                // The body waits while a session token is looked up; the body handler resumes the request.
                ctx.request().pause();
            }
            auth.resolve(ctx).onSuccess(v -> {
                if (!writes) {
                    ctx.next();
                    return;
                }
                try {
                    auth.privateToken(ctx);
                    if (announcesBody(ctx.request())) {
                        Bodies.checkMediaType(ctx.request());
                    }
                } catch (ApiError e) {
                    refuseUnread(ctx, e);
                    return;
                }
                bodyDeadline(ctx);
                body.handle(ctx);
            }).onFailure(e -> {
                if (writes) {
                    refuseUnread(ctx, e);
                } else {
                    ctx.fail(e);
                }
            });
        });
        router.route("/api/*").handler(ctx -> {
            Bodies.checkUtf8(ctx.body().buffer());
            ctx.next();
        });
        router.get("/api").handler(ctx -> ctx.json(new JsonObject().put("name", "Felix Gateway").put("ok", true)));
        // no-store: the document names the Host it was asked for, which no shared cache may hand to others.
        router.get(OPENAPI_PATH).handler(ctx -> ctx.response().putHeader("Content-Type", Replies.JSON)
                .putHeader("Cache-Control", "no-store").end(servedOpenApi(ctx.request()).encode()));
        EntryRoutes entryRoutes = new EntryRoutes(entries, auth);
        entryRoutes.mount(router);
        new LegacyRoutes(entryRoutes, entries, auth).mount(router);
        new StatusRoutes(store, status, auth).mount(router);
        new SessionRoutes(tokens, store, auth, config.get(MAX_SESSION_TTL)).mount(router);
        answerOtherMethods(router);
        router.route("/api/*").last().handler(ctx -> ctx.fail(new ApiError(404, "no such route: "
                + ctx.request().method() + " " + ctx.request().path())));
        router.route().failureHandler(this::onFailure);
    }

    /**
     * Refuses a write whose body was left unread (paused): the connection cannot carry another
     * request behind those bytes, so the answer closes it.
     */
    private static void refuseUnread(RoutingContext ctx, Throwable failure) {
        ctx.response().putHeader("Connection", "close").endHandler(v -> ctx.request().connection().close());
        ctx.fail(failure);
    }

    /** A body is announced by its framing; a write without one is refused for its missing body instead. */
    private static boolean announcesBody(HttpServerRequest request) {
        String length = request.getHeader("Content-Length");
        return request.getHeader("Transfer-Encoding") != null || (length != null && !length.trim().equals("0"));
    }

    /**
     * Cuts off a body that trickles in: the idle timeout alone never fires for one byte a second, and
     * an authenticated client could hold a connection and its buffer for as long as it liked.
     */
    private void bodyDeadline(RoutingContext ctx) {
        long ms = config.get(REQUEST_BODY_TIMEOUT).toMillis();
        long timer = ctx.vertx().setTimer(ms, id -> {
            if (!ctx.request().isEnded()) {
                answerAndClose(ctx.request(), 408, "request body not received within " + ms
                        + " ms (--request-body-timeout-ms)");
            }
        });
        ctx.addEndHandler(v -> ctx.vertx().cancelTimer(timer));
    }

    /**
     * The document with the server it was asked on as its only {@code servers} entry: the Host the
     * client used (what it can reach, through a proxy too), else the address that took the request.
     */
    private JsonObject servedOpenApi(HttpServerRequest request) {
        String host = request.getHeader("Host");
        if (host == null || host.isEmpty()) {
            String address = request.localAddress().hostAddress();
            host = (address.contains(":") ? "[" + address + "]" : address) + ":" + request.localAddress().port();
        }
        JsonObject served = new JsonObject();
        for (Map.Entry<String, Object> field : openApi) {
            served.put(field.getKey(), field.getValue());
            if (field.getKey().equals("info")) {
                String url = (config.tls() ? "https://" : "http://") + host;
                served.put("servers", new JsonArray().add(new JsonObject().put("url", url)));
            }
        }
        return served;
    }

    /** A known path asked with a method it does not serve is 405 with {@code Allow}, not 404. */
    private static void answerOtherMethods(Router router) {
        Map<String, Set<String>> allowed = new TreeMap<>();
        for (Route route : router.getRoutes()) {
            if (route.getPath() != null && route.methods() != null && !route.methods().isEmpty()) {
                Set<String> methods = allowed.computeIfAbsent(route.getPath(), p -> new TreeSet<>());
                route.methods().forEach(m -> methods.add(m.name()));
                if (methods.contains("GET")) {
                    methods.add("HEAD");
                }
            }
        }
        allowed.forEach((path, methods) -> {
            String allow = String.join(", ", methods);
            router.route(path).handler(ctx -> ctx.fail(ApiError.methodNotAllowed(ctx.request().method().name(),
                    ctx.request().path(), allow)));
        });
    }

    private void onFailure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (failure instanceof CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        Known known = failure == null ? null : KNOWN.get(failure.getClass());
        if (known != null) {
            known.headers().forEach(ctx.response()::putHeader);
            reply(ctx, known.status(), failure.getMessage());
        } else if (failure instanceof ApiError e) {
            e.headers().forEach(ctx.response()::putHeader);
            reply(ctx, e.status(), e.getMessage());
        } else if (failure instanceof HttpClosedException) {
            // The client went away mid-request: nobody to answer, nothing gone wrong here.
            log.debug("{} {}: connection closed by the client", ctx.request().method(), ctx.request().path());
        } else if (failure == null || failure instanceof HttpException) {
            int code = failure == null ? ctx.statusCode() : ((HttpException) failure).getStatusCode();
            int status = code > 0 ? code : 500;
            reply(ctx, status, status == 413 ? "body larger than " + config.get(MAX_BODY_BYTES) + " bytes"
                    : HttpResponseStatus.valueOf(status).reasonPhrase());
        } else {
            log.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
            reply(ctx, 500, "internal error");
        }
    }

    private static void reply(RoutingContext ctx, int status, String message) {
        if (ctx.response().ended()) {
            return;
        }
        if (status == 401) {
            // RFC 9110 §15.5.2: a 401 names the scheme that would be accepted.
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
        }
        ctx.response().setStatusCode(status)
                .putHeader("Content-Type", Replies.JSON)
                .end(error(status, message).encode());
    }

    /**
     * Answers a request the HTTP decoder refused (request line or headers too long, malformed) with
     * the JSON error body, then closes the connection, whose stream can no longer be trusted.
     */
    public static void answerInvalid(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        int status;
        String message;
        if (cause instanceof HttpWire.Refused refused) {
            status = refused.status();
            message = refused.getMessage();
        } else if (cause instanceof TooLongHttpLineException) {
            status = 414;
            message = "request line longer than " + ServerOptions.MAX_REQUEST_LINE_BYTES + " bytes";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = 431;
            message = "request headers larger than " + ServerOptions.MAX_HEADER_BYTES + " bytes";
        } else {
            status = 400;
            message = "malformed HTTP request";
        }
        answerAndClose(request, status, message);
    }

    /**
     * Answers a request that came while the gateway stops: 503 and the connection closed, so that a
     * client on a kept-alive connection is told, not cut off by the port closing under it.
     */
    public static void answerShuttingDown(HttpServerRequest request) {
        request.response().putHeader("Retry-After", "1");
        answerAndClose(request, 503, "the gateway is shutting down");
    }

    private static void answerAndClose(HttpServerRequest request, int status, String message) {
        request.response().setStatusCode(status)
                .putHeader("Content-Type", Replies.JSON)
                .putHeader("Connection", "close")
                .end(error(status, message).encode())
                .onComplete(v -> request.connection().close());
    }

    /**
     * The router behind a check of the request target: a malformed percent-escape ({@code %zz},
     * {@code %4}, a lone {@code %}) is 400 here, as Vert.x decodes the path while routing and the
     * query when a handler asks for a parameter, and throws from both.
     */
    public static Handler<HttpServerRequest> front(Router router) {
        return request -> {
            String uri = request.uri();
            int bad = badEscape(uri);
            if (bad < 0) {
                router.handle(request);
            } else {
                request.response().setStatusCode(400).putHeader("Content-Type", Replies.JSON)
                        .end(error(400, "malformed percent-escape at character " + (bad + 1)
                                + " of the request target").encode());
            }
        };
    }

    /** The index of the first '%' not followed by two hex digits, or -1. */
    static int badEscape(String uri) {
        for (int i = uri.indexOf('%'); i >= 0; i = uri.indexOf('%', i + 1)) {
            if (i + 2 >= uri.length() || !hex(uri.charAt(i + 1)) || !hex(uri.charAt(i + 2))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** The error body every failure carries, on this port and the operations routes alike. */
    static JsonObject error(int status, String message) {
        return new JsonObject()
                .put("status", status)
                .put("error", HttpResponseStatus.valueOf(status).reasonPhrase())
                .put("message", message);
    }
}
