package dev.felix.server.rest;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Set;

/**
 * Cross-origin calls from browser pages (the Fetch standard's CORS), for the origins of
 * {@code --cors-origins}: their preflight is answered 204 before any token is asked for (browsers
 * send none with it), and their responses, errors included, name the origin and expose the headers
 * a client reads (ETag for conditional writes, Retry-After past a limit). {@code *} lets any page
 * read: its preflight allows GET and HEAD only, and a write's answer is not shared with the page.
 */
final class Cors implements Handler<RoutingContext> {
    private static final List<String> READS = List.of("GET", "HEAD");
    private static final List<String> EVERY_METHOD = List.of("GET", "HEAD", "PUT", "PATCH", "DELETE", "POST");
    private static final String REQUEST_HEADERS = "Authorization, Content-Type, If-Match, If-None-Match";
    private static final String EXPOSED = "ETag, Retry-After";
    /** How long a browser may keep a preflight's answer: ten minutes, so a changed list is seen soon. */
    private static final String MAX_AGE_SECONDS = "600";

    private final Set<String> origins;
    private final boolean anyOrigin;

    /** {@code origins} as --cors-origins lists them, with {@code *} for any. */
    Cors(List<String> origins) {
        this.anyOrigin = origins.contains("*");
        this.origins = Set.copyOf(origins);
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        HttpServerResponse response = ctx.response();
        if (!anyOrigin) {
            // The answer depends on the Origin, so a cache must not hand one origin's to another.
            response.headers().add("Vary", "Origin");
        }
        String origin = request.getHeader("Origin");
        String asked = request.getHeader("Access-Control-Request-Method");
        boolean preflight = request.method() == HttpMethod.OPTIONS && asked != null;
        if (origin == null || !(anyOrigin || origins.contains(origin))) {
            if (preflight) {
                throw new ApiError(403, "origin " + origin + " is not one of --cors-origins");
            }
            ctx.next();
            return;
        }
        List<String> methods = anyOrigin ? READS : EVERY_METHOD;
        String allowOrigin = anyOrigin ? "*" : origin;
        if (preflight) {
            if (!methods.contains(asked)) {
                throw new ApiError(403, asked + " is not allowed from other origins (--cors-origins * allows "
                        + "reading only)");
            }
            response.setStatusCode(204)
                    .putHeader("Access-Control-Allow-Origin", allowOrigin)
                    .putHeader("Access-Control-Allow-Methods", String.join(", ", methods))
                    .putHeader("Access-Control-Allow-Headers", REQUEST_HEADERS)
                    .putHeader("Access-Control-Max-Age", MAX_AGE_SECONDS)
                    .end();
            return;
        }
        if (methods.contains(request.method().name())) {
            response.putHeader("Access-Control-Allow-Origin", allowOrigin)
                    .putHeader("Access-Control-Expose-Headers", EXPOSED);
        }
        ctx.next();
    }
}
