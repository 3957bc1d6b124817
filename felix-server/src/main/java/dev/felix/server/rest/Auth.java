package dev.felix.server.rest;

import dev.felix.server.auth.TokenRegistry;
import dev.felix.server.store.Scope;
import dev.felix.server.store.TokenRecord;
import io.vertx.ext.web.RoutingContext;

/**
 * Bearer tokens on REST: no token 401, unknown or revoked 403, a public token on a write 403,
 * a public token past its daily limit 429. Private tokens have no limit.
 */
final class Auth {
    private final TokenRegistry tokens;
    private final DailyLimit publicLimit;

    Auth(TokenRegistry tokens, DailyLimit publicLimit) {
        this.tokens = tokens;
        this.publicLimit = publicLimit;
    }

    /** A read: any valid token; a public one is counted against its daily limit. */
    TokenRecord read(RoutingContext ctx) {
        TokenRecord token = token(ctx);
        if (token.scope() == Scope.PUBLIC) {
            long retryAfter = publicLimit.acquire(token.id());
            if (retryAfter > 0) {
                throw ApiError.tooManyRequests("public tokens may make " + publicLimit.limit()
                        + " requests per 24 hours", retryAfter);
            }
        }
        return token;
    }

    /** A write: private tokens only. */
    TokenRecord write(RoutingContext ctx) {
        TokenRecord token = token(ctx);
        if (token.scope() != Scope.PRIVATE) {
            throw new ApiError(403, "public tokens may only read");
        }
        return token;
    }

    private TokenRecord token(RoutingContext ctx) {
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
        return token;
    }
}
