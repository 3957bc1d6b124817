package dev.felix.server.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.felix.protocol.EntryKind;
import dev.felix.server.entries.Condition;
import dev.felix.server.entries.EntryService;
import dev.felix.server.store.Access;
import dev.felix.server.store.Entry;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /api/guilds} and {@code /api/users}: read one, many or a page; PUT replaces, PATCH
 * merges (RFC 7396), DELETE removes. Reads and writes honour {@code If-Match} and {@code If-None-Match}
 * with the entry's ETag (its seq), as {@link Preconditions} evaluates them.
 * The rules live in {@link EntryService}; this class speaks HTTP.
 */
final class EntryRoutes {
    static final int DEFAULT_PAGE = 100;

    private final EntryService entries;
    private final Auth auth;

    EntryRoutes(EntryService entries, Auth auth) {
        this.entries = entries;
        this.auth = auth;
    }

    static String plural(EntryKind kind) {
        return kind == EntryKind.GUILD ? "guilds" : "users";
    }

    void mount(Router router) {
        for (EntryKind kind : EntryKind.values()) {
            String many = "/api/" + plural(kind);
            String one = many + "/:id";
            router.get(many).handler(ctx -> getMany(ctx, kind));
            router.get(one).handler(ctx -> get(ctx, auth.read(ctx), kind, pathId(ctx)));
            router.put(one).handler(ctx -> sendWritten(ctx, entries.put(auth.write(ctx), kind, pathId(ctx),
                    body(ctx), condition(ctx))));
            router.patch(one).handler(ctx -> sendWritten(ctx, entries.patch(auth.write(ctx), kind, pathId(ctx),
                    body(ctx), condition(ctx))));
            router.delete(one).handler(ctx -> Replies.await(ctx, entries.delete(auth.write(ctx), kind, pathId(ctx),
                    condition(ctx))).onSuccess(deleted -> Replies.noContent(ctx)).onFailure(ctx::fail));
        }
    }

    private static String pathId(RoutingContext ctx) {
        return ctx.pathParam("id");
    }

    // ---- reads -------------------------------------------------------------------------

    /** One entry with its ETag, or 404. */
    void get(RoutingContext ctx, Access access, EntryKind kind, String id) {
        CompletableFuture<Optional<Entry>> read = entries.get(access, kind, id);
        Replies.await(ctx, read).onSuccess(found -> {
            if (found.isPresent()) {
                Preconditions.sendEntry(ctx, found.get());
            } else {
                ctx.fail(ApiError.notFound(kind.name().toLowerCase(Locale.ROOT) + " " + id + " not found"));
            }
        }).onFailure(ctx::fail);
    }

    /** The existing entries among these IDs that the token's scope includes, as a JSON array ordered by ID. */
    void getAll(RoutingContext ctx, Access access, EntryKind kind, List<String> ids) {
        Replies.await(ctx, entries.getAll(access, kind, ids)).onSuccess(found -> Replies.sendEntries(ctx, found))
                .onFailure(ctx::fail);
    }

    private void getMany(RoutingContext ctx, EntryKind kind) {
        Access access = auth.read(ctx);
        String ids = ctx.request().getParam("ids");
        String after = ctx.request().getParam("after");
        String limit = ctx.request().getParam("limit");
        if (ids != null) {
            if (after != null || limit != null) {
                throw ApiError.badRequest("ids cannot be combined with after or limit");
            }
            getAll(ctx, access, kind, split(ids));
            return;
        }
        Replies.await(ctx, entries.list(access, kind, after, pageSize(limit)))
                .onSuccess(page -> Replies.sendEntries(ctx, page)).onFailure(ctx::fail);
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
            if (n >= 1 && n <= EntryService.MAX_IDS) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below, like an out-of-range number
        }
        throw ApiError.badRequest("limit must be 1-" + EntryService.MAX_IDS + ", was '" + limit + "'");
    }

    // ---- writes ------------------------------------------------------------------------

    /** Answers a write with the stored entry and its ETag. */
    static void sendWritten(RoutingContext ctx, CompletableFuture<Entry> write) {
        Replies.await(ctx, write).onSuccess(entry -> Replies.sendEntry(ctx, 200, entry)).onFailure(ctx::fail);
    }

    /** The request's {@code If-Match} and {@code If-None-Match}, as what the write requires. */
    static Condition condition(RoutingContext ctx) {
        return Preconditions.write(ctx.request());
    }

    /** The request body, which must be a JSON object an entry may hold; 400 otherwise. */
    static ObjectNode body(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        return EntryService.parse(body == null ? null : body.getBytes());
    }
}
