package dev.felix.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.felix.protocol.EntryKind;
import dev.felix.server.entries.EntryService;
import dev.felix.server.store.Access;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;

/**
 * The paths of the original Felix API, kept as aliases with the same token and scope rules:
 * {@code GET /api/getGuildData/{id}} (or {@code [id1,id2]} for an array), {@code POST|PUT
 * /api/postGuildData} with the ID in the body, and the user twins.
 */
final class LegacyRoutes {
    private final EntryRoutes routes;
    private final EntryService entries;
    private final Auth auth;

    LegacyRoutes(EntryRoutes routes, EntryService entries, Auth auth) {
        this.routes = routes;
        this.entries = entries;
        this.auth = auth;
    }

    static String getPath(EntryKind kind) {
        return "/api/get" + name(kind) + "Data";
    }

    static String postPath(EntryKind kind) {
        return "/api/post" + name(kind) + "Data";
    }

    private static String name(EntryKind kind) {
        return kind == EntryKind.GUILD ? "Guild" : "User";
    }

    void mount(Router router) {
        for (EntryKind kind : EntryKind.values()) {
            router.get(getPath(kind) + "/:ids").handler(ctx -> get(ctx, kind));
            router.post(postPath(kind)).handler(ctx -> post(ctx, kind));
            router.put(postPath(kind)).handler(ctx -> post(ctx, kind));
        }
    }

    private void get(RoutingContext ctx, EntryKind kind) {
        Access access = auth.read(ctx);
        String param = ctx.pathParam("ids").trim();
        if (param.startsWith("[") && param.endsWith("]")) {
            routes.getAll(ctx, access, kind, ids(param.substring(1, param.length() - 1)));
        } else {
            routes.get(ctx, access, kind, param);
        }
    }

    /** {@code 1,2} or {@code "1","2"}: the original clients sent both. */
    private static List<String> ids(String list) {
        List<String> out = new ArrayList<>();
        for (String id : EntryRoutes.split(list)) {
            out.add(id.length() >= 2 && id.startsWith("\"") && id.endsWith("\"") ? id.substring(1, id.length() - 1) : id);
        }
        return out;
    }

    private void post(RoutingContext ctx, EntryKind kind) {
        Access access = auth.write(ctx);
        ObjectNode body = EntryRoutes.body(ctx);
        JsonNode id = body.get("id");
        if (id == null || !id.isTextual()) {
            throw ApiError.badRequest("body must carry the entry's id as a string");
        }
        EntryRoutes.sendWritten(ctx, entries.put(access, kind, id.textValue(), body, EntryRoutes.condition(ctx)));
    }
}
