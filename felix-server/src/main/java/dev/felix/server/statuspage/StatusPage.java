package dev.felix.server.statuspage;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

import java.util.function.IntSupplier;
import java.util.regex.Pattern;

/**
 * The live status page at {@code GET /}: static files from the {@code webroot} resource folder,
 * plus {@code GET /config.json}, which tells the page the port of Felix's WebSocket.
 */
public final class StatusPage {

    /** IPv4 dotted, or IPv6 (with colons, bracketed or not). */
    private static final Pattern IP_ADDRESS = Pattern.compile("[0-9.]+|\\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*]?");

    private final IntSupplier wsPort;

    public StatusPage(IntSupplier wsPort) {
        this.wsPort = wsPort;
    }

    /**
     * Everything the page loads comes from this server; its WebSocket goes to another port of it,
     * named by port because the host is whatever name the browser used. A source's {@code *} matches
     * host names only, so a page opened by IP address may open any WebSocket.
     */
    private String contentSecurityPolicy(String host) {
        int port = wsPort.getAsInt();
        String sockets = host == null || IP_ADDRESS.matcher(host).matches() ? "ws: wss:"
                : "ws://*:" + port + " wss://*:" + port;
        return "default-src 'self'; connect-src 'self' " + sockets + "; img-src 'self' data:; frame-ancestors 'none'";
    }

    /** Mounts the page; call after the API routes so that it only gets what they do not take. */
    public void mount(Router router) {
        router.get("/config.json").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .end(new JsonObject().put("wsPort", wsPort.getAsInt()).encode()));
        StaticHandler files = StaticHandler.create("webroot").setCachingEnabled(false);
        router.route("/*").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(ctx -> {
            ctx.response().putHeader("Content-Security-Policy", contentSecurityPolicy(
                    ctx.request().authority() == null ? null : ctx.request().authority().host()))
                    .putHeader("X-Content-Type-Options", "nosniff");
            ctx.next();
        }).handler(files);
    }
}
