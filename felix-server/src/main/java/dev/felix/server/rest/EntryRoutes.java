package dev.felix.server.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.felix.protocol.EntryKind;
import dev.felix.server.metrics.GatewayMetrics;
import dev.felix.server.store.EntryJson;
import dev.felix.server.store.Mutation;
import dev.felix.server.store.Store;
import dev.felix.server.store.StoreException;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code /api/guilds} and {@code /api/users}: read one, many or a page; PUT replaces, PATCH
 * merges (RFC 7396), DELETE removes. Writes honour {@code If-Match} with the entry's ETag (its seq).
 */
final class EntryRoutes {
    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;

    private final Store store;
    private final Auth auth;
    private final GatewayMetrics metrics;

    EntryRoutes(Store store, Auth auth, GatewayMetrics metrics) {
        this.store = store;
        this.auth = auth;
        this.metrics = metrics;
    }

    static String plural(EntryKind kind) {
        return kind == EntryKind.GUILD ? "guilds" : "users";
    }

    private static String noun(EntryKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    void mount(Router router) {
        for (EntryKind kind : EntryKind.values()) {
            String many = "/api/" + plural(kind);
            String one = many + "/:id";
            router.get(many).handler(ctx -> getMany(ctx, kind));
            router.get(one).handler(ctx -> {
                auth.read(ctx);
                get(ctx, kind, pathId(ctx));
            });
            router.put(one).handler(ctx -> put(ctx, kind));
            router.patch(one).handler(ctx -> patch(ctx, kind));
            router.delete(one).handler(ctx -> delete(ctx, kind));
        }
    }

    private static String pathId(RoutingContext ctx) {
        return ctx.pathParam("id");
    }

    // ---- reads -------------------------------------------------------------------------

    /** One entry with its ETag, or 404. The caller has checked the token. */
    void get(RoutingContext ctx, EntryKind kind, String id) {
        Replies.snowflake(id);
        Replies.await(ctx, store.get(kind, id)).onSuccess(found -> {
            if (found.isPresent()) {
                Replies.sendEntry(ctx, 200, found.get());
            } else {
                ctx.fail(ApiError.notFound(noun(kind) + " " + id + " not found"));
            }
        }).onFailure(ctx::fail);
    }

    /** The existing entries among these IDs, as a JSON array ordered by ID. The caller has checked the token. */
    void getAll(RoutingContext ctx, EntryKind kind, List<String> ids) {
        if (ids.size() > MAX_PAGE) {
            throw ApiError.badRequest("at most " + MAX_PAGE + " IDs per request, got " + ids.size());
        }
        ids.forEach(Replies::snowflake);
        Replies.await(ctx, store.getAll(kind, ids)).onSuccess(found -> Replies.sendEntries(ctx, found))
                .onFailure(ctx::fail);
    }

    private void getMany(RoutingContext ctx, EntryKind kind) {
        auth.read(ctx);
        String ids = ctx.request().getParam("ids");
        String after = ctx.request().getParam("after");
        String limit = ctx.request().getParam("limit");
        if (ids != null) {
            if (after != null || limit != null) {
                throw ApiError.badRequest("ids cannot be combined with after or limit");
            }
            getAll(ctx, kind, split(ids));
            return;
        }
        if (after != null) {
            Replies.snowflake(after);
        }
        int size = pageSize(limit);
        Replies.await(ctx, store.list(kind, after, size)).onSuccess(page -> Replies.sendEntries(ctx, page))
                .onFailure(ctx::fail);
    }

    /** Comma-separated IDs, blanks and repeats dropped. */
    static List<String> split(String ids) {
        Set<String> out = new LinkedHashSet<>();
        for (String id : ids.split(",", -1)) {
            String trimmed = id.trim();
            if (!trimmed.isEmpty()) {
                out.add(trimmed);
            }
        }
        return new ArrayList<>(out);
    }

    private static int pageSize(String limit) {
        if (limit == null) {
            return DEFAULT_PAGE;
        }
        try {
            int n = Integer.parseInt(limit);
            if (n >= 1 && n <= MAX_PAGE) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below, like an out-of-range number
        }
        throw ApiError.badRequest("limit must be 1-" + MAX_PAGE + ", was '" + limit + "'");
    }

    // ---- writes ------------------------------------------------------------------------

    private void put(RoutingContext ctx, EntryKind kind) {
        auth.write(ctx);
        String id = Replies.snowflake(pathId(ctx));
        String json = normalize(id, bodyObject(ctx));
        write(ctx, kind, id, current -> json, false);
    }

    private void patch(RoutingContext ctx, EntryKind kind) {
        auth.write(ctx);
        String id = Replies.snowflake(pathId(ctx));
        ObjectNode patch = bodyObject(ctx);
        try {
            EntryJson.checkPatch(id, patch);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        write(ctx, kind, id, current -> {
            if (current == null) {
                throw new StoreException.NotFound(noun(kind) + " " + id + " not found");
            }
            return EntryJson.merge(id, current.json(), patch);
        }, false);
    }

    private void delete(RoutingContext ctx, EntryKind kind) {
        auth.write(ctx);
        String id = Replies.snowflake(pathId(ctx));
        write(ctx, kind, id, current -> {
            if (current == null) {
                throw new StoreException.NotFound(noun(kind) + " " + id + " not found");
            }
            return null;
        }, true);
    }

    /** Runs a write with the request's If-Match; answers the stored entry, or 204 for a deletion. */
    void write(RoutingContext ctx, EntryKind kind, String id, Mutation mutation, boolean deletes) {
        String ifMatch = ctx.request().getHeader("If-Match");
        Long expectedSeq = null;
        Mutation checked = mutation;
        if (ifMatch != null) {
            String tag = ifMatch.trim();
            if (tag.equals("*")) {
                checked = current -> {
                    if (current == null) {
                        throw new StoreException.PreconditionFailed(noun(kind) + " " + id + " does not exist");
                    }
                    return mutation.apply(current);
                };
            } else {
                expectedSeq = seq(tag);
            }
        }
        Replies.await(ctx, metrics.timeWrite(kind, store.write(kind, id, expectedSeq, checked))).onSuccess(entry -> {
            if (deletes) {
                Replies.noContent(ctx);
            } else {
                Replies.sendEntry(ctx, 200, entry);
            }
        }).onFailure(ctx::fail);
    }

    /** The seq in an ETag this API sent: {@code "12"}, weak {@code W/"12"} or bare {@code 12}. */
    private static long seq(String tag) {
        String value = tag.startsWith("W/") ? tag.substring(2) : tag;
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        try {
            long seq = Long.parseLong(value);
            if (seq >= 0) {
                return seq;
            }
        } catch (NumberFormatException e) {
            // answered below, like a negative number
        }
        throw ApiError.badRequest("If-Match must be one ETag of this API (\"<seq>\") or *, was '" + tag + "'");
    }

    /** The request body, which must be a JSON object an entry may hold; 400 otherwise. */
    static ObjectNode bodyObject(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        try {
            return EntryJson.parseObject(body == null ? null : body.getBytes());
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }

    static String normalize(String id, ObjectNode body) {
        try {
            return EntryJson.normalize(id, body);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }
}
