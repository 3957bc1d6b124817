package dev.felix.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.felix.server.auth.TokenRegistry;
import dev.felix.server.entries.EntryService;
import dev.felix.server.store.Access;
import dev.felix.server.store.Store;
import dev.felix.server.store.TokenRecord;
import dev.felix.server.store.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code POST /api/sessions}: a backend mints a short-lived token for one browser, with a scope at
 * most its own. Body {@code {"guilds": [...], "users": [...], "ttlSeconds": 900, "readOnly": true}},
 * every field optional; answer 201 {@code {"token": "fxs_…", "expiresAt": <ms epoch>}}.
 */
final class SessionRoutes {
    static final String PATH = "/api/sessions";
    static final long DEFAULT_TTL_SECONDS = 900;
    private static final Set<String> FIELDS = Set.of("guilds", "users", "ttlSeconds", "readOnly");

    private final TokenRegistry tokens;
    private final Store store;
    private final Auth auth;
    private final Duration maxTtl;

    SessionRoutes(TokenRegistry tokens, Store store, Auth auth, Duration maxTtl) {
        this.tokens = tokens;
        this.store = store;
        this.auth = auth;
        this.maxTtl = maxTtl;
    }

    void mount(Router router) {
        router.post(PATH).handler(this::mint);
    }

    private void mint(RoutingContext ctx) {
        TokenRecord minter = auth.privateToken(ctx);
        if (minter.session()) {
            throw new ApiError(403, "a session token cannot mint session tokens");
        }
        Buffer raw = ctx.body().buffer();
        ObjectNode body = EntryService.parse(raw == null ? null : raw.getBytes());
        for (var names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw ApiError.badRequest("unknown field '" + name + "' (known: guilds, users, ttlSeconds, readOnly)");
            }
        }
        long ttl = ttlSeconds(body.get("ttlSeconds"));
        Access asked = Access.only(ids(body, "guilds"), ids(body, "users"), readOnly(body.get("readOnly")));
        if (!minter.access().covers(asked)) {
            throw new ApiError(403, "a session token's scope must lie within the minting token's ("
                    + minter.access().describe() + ")");
        }
        Instant expires = Instant.ofEpochMilli(System.currentTimeMillis() + ttl * 1000);
        // Hop: minting writes the token table over JDBC, which blocks; a worker does it.
        ctx.vertx().executeBlocking(() -> {
            Tokens.Minted minted = Tokens.mintSession(store, minter, asked, expires);
            tokens.added(minted.record());
            return minted.token();
        }, false).onSuccess(token -> ctx.response().setStatusCode(201)
                .putHeader("Content-Type", Replies.JSON)
                .putHeader("Cache-Control", "no-store")
                .end(new JsonObject().put("token", token).put("expiresAt", expires.toEpochMilli()).encode()))
                .onFailure(ctx::fail);
    }

    private long ttlSeconds(JsonNode value) {
        if (value == null) {
            return Math.min(DEFAULT_TTL_SECONDS, maxTtl.toSeconds());
        }
        if (!value.canConvertToExactIntegral() || value.asLong() < 1 || value.asLong() > maxTtl.toSeconds()) {
            throw ApiError.badRequest("ttlSeconds must be a whole number 1-" + maxTtl.toSeconds()
                    + " (--max-session-ttl-minutes), was " + value);
        }
        return value.asLong();
    }

    private static boolean readOnly(JsonNode value) {
        if (value == null) {
            return true;
        }
        if (!value.isBoolean()) {
            throw ApiError.badRequest("readOnly must be true or false, was " + value);
        }
        return value.booleanValue();
    }

    private static List<String> ids(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null) {
            return List.of();
        }
        if (!value.isArray() || value.size() > EntryService.MAX_IDS) {
            throw ApiError.badRequest(field + " must be an array of at most " + EntryService.MAX_IDS
                    + " IDs as strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode id : value) {
            if (!id.isTextual()) {
                throw ApiError.badRequest(field + " must hold IDs as strings, was " + id);
            }
            out.add(EntryService.checkId(id.textValue()));
        }
        return out;
    }
}
