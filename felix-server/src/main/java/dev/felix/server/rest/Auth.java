package dev.felix.server.rest;

import dev.felix.server.auth.TokenRegistry;
import dev.felix.server.store.Access;
import dev.felix.server.store.Scope;
import dev.felix.server.store.TokenRecord;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

import java.util.Optional;

/**
 * Bearer tokens on REST: no token 401, unknown, revoked or expired 403, a public token on a write
 * 403, a public token past its daily limit 429. Private tokens have no limit. What a valid token
 * may touch (its scope) is checked by the entry service with the {@link Access} handed back here.
 *
 * <p>The token is looked up once per request ({@link #resolve}, the first API handler) and kept in
 * the request's context for the routes after it.
 */
final class Auth {
    private static final String TOKEN = "felix.token";

    private final TokenRegistry tokens;
    private final DailyLimit publicLimit;

    Auth(TokenRegistry tokens, DailyLimit publicLimit) {
        this.tokens = tokens;
        this.publicLimit = publicLimit;
    }

    /**
     * Looks the request's Bearer token up, in the store too for a session token minted on another
     * node moments ago. The future completes on the request's context.
     */
    Future<Void> resolve(RoutingContext ctx) {
        String offered = bearer(ctx);
        if (offered == null) {
            return Future.succeededFuture();
        }
        return Replies.await(ctx, tokens.resolve(offered)).map(token -> {
            ctx.put(TOKEN, Optional.ofNullable(token));
            return null;
        });
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
        return token.access();
    }

    /** A write: private tokens only (the entry service refuses read-only and out-of-scope ones). */
    Access write(RoutingContext ctx) {
        return privateToken(ctx).access();
    }

    /** A private token. */
    TokenRecord privateToken(RoutingContext ctx) {
        TokenRecord token = token(ctx);
        if (token.scope() != Scope.PRIVATE) {
            throw new ApiError(403, "public tokens may only read");
        }
        return token;
    }

    /** Reporting bot status: an unrestricted private token that does not expire, as the bot's own. */
    void reporter(RoutingContext ctx) {
        if (!privateToken(ctx).unrestrictedPrivate()) {
            throw new ApiError(403, "status reports need an unrestricted private token");
        }
    }

    private TokenRecord token(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        if (header == null || header.isBlank()) {
            throw new ApiError(401, "missing Authorization: Bearer <token>");
        }
        String offered = bearer(ctx);
        if (offered == null) {
            throw new ApiError(401, "Authorization must be Bearer <token>");
        }
        Optional<TokenRecord> resolved = ctx.get(TOKEN);
        TokenRecord token = resolved != null ? resolved.orElse(null) : tokens.find(offered);
        if (token == null) {
            throw new ApiError(403, "unknown, revoked or expired token");
        }
        return token;
    }

    private static String bearer(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    }
}
