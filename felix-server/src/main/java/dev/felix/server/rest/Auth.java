package dev.felix.server.rest;

import dev.felix.server.auth.TokenRegistry;
import dev.felix.server.store.Access;
import dev.felix.server.store.Scope;
import dev.felix.server.store.TokenRecord;
import io.vertx.ext.web.RoutingContext;

/**
 * Bearer tokens on REST: no token 401, unknown or revoked 403, a public token on a write 403,
 * a public token past its daily limit 429. Private tokens have no limit. The token is looked up
 * once per request and kept in the request's context for the routes after the first check.
 */
final class Auth {
    private static final String TOKEN = "felix.token";

    private final TokenRegistry tokens;
    private final DailyLimit publicLimit;

    Auth(TokenRegistry tokens, DailyLimit publicLimit) {
        this.tokens = tokens;
        this.publicLimit = publicLimit;
    }

    /** A read: any valid token; a public one is counted against its daily limit. */
    Access read(RoutingContext ctx) {
        TokenRecord token = token(ctx);
        if (token.scope() == Scope.PUBLIC) {
            long retryAfter = publicLimit.acquire(token.id());
            if (retryAfter > 0) {
                throw ApiError.tooManyRequests("public tokens may make " + publicLimit.limit()
                        + " requests per 24 hours", retryAfter);
            }
        }
        return access(token);
    }

    /** A write: private tokens only. */
    Access write(RoutingContext ctx) {
        TokenRecord token = token(ctx);
        if (token.scope() != Scope.PRIVATE) {
            throw new ApiError(403, "public tokens may only read");
        }
        return access(token);
    }

    private static Access access(TokenRecord token) {
        return token.scope() == Scope.PUBLIC ? Access.READ_ANY : Access.UNRESTRICTED;
    }

    private TokenRecord token(RoutingContext ctx) {
        TokenRecord known = ctx.get(TOKEN);
        if (known != null) {
            return known;
        }
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
        ctx.put(TOKEN, token);
        return token;
    }
}
