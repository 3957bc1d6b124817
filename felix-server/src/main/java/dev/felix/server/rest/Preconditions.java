package dev.felix.server.rest;

import dev.felix.server.entries.Condition;
import dev.felix.server.store.Entry;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;

/**
 * Conditional requests on an entry (RFC 9110 §13), whose ETag is its seq ({@code "12"}).
 * {@code If-Match} compares strongly, so a weak tag never matches; {@code If-None-Match} weakly.
 * Either takes {@code *} or a list of tags; a value that is not one is 400. {@code If-Match} is
 * evaluated first; a read that fails it is 412, a read that fails {@code If-None-Match} is 304, and
 * a write that fails either is 412 (so {@code PUT} with {@code If-None-Match: *} only creates).
 */
final class Preconditions {
    private static final String IF_MATCH = "If-Match";
    private static final String IF_NONE_MATCH = "If-None-Match";

    private Preconditions() {
    }

    /** One entity-tag of a list. */
    private record Tag(boolean weak, String opaque) {
        /** RFC 9110 §8.8.3.2. */
        boolean matches(Entry entry, boolean strong) {
            return (!strong || !weak) && opaque.equals(Long.toString(entry.seq()));
        }
    }

    /** A parsed If-Match or If-None-Match: {@code *}, or its tags. */
    private record Field(boolean any, List<Tag> tags) {
        boolean matches(Entry entry, boolean strong) {
            if (entry == null) {
                return false;
            }
            return any || tags.stream().anyMatch(tag -> tag.matches(entry, strong));
        }
    }

    /** The write's condition from the request's If-Match and If-None-Match; 400 for a malformed one. */
    static Condition write(HttpServerRequest request) {
        Field ifMatch = field(request, IF_MATCH);
        Field ifNoneMatch = field(request, IF_NONE_MATCH);
        if (ifMatch == null && ifNoneMatch == null) {
            return Condition.NONE;
        }
        return current -> {
            if (ifMatch != null && !ifMatch.matches(current, true)) {
                return current == null ? "does not exist (If-Match)" : "is at " + Replies.etag(current)
                        + ", which If-Match does not name";
            }
            if (ifNoneMatch != null && ifNoneMatch.matches(current, false)) {
                return ifNoneMatch.any() ? "exists (If-None-Match: *)"
                        : "is at " + Replies.etag(current) + ", which If-None-Match names";
            }
            return null;
        };
    }

    /** Sends an existing entry as a read's conditions ask: 200 with it, 304 without it, or 412. */
    static void sendEntry(RoutingContext ctx, Entry entry) {
        try {
            Field ifMatch = field(ctx.request(), IF_MATCH);
            Field ifNoneMatch = field(ctx.request(), IF_NONE_MATCH);
            if (ifMatch != null && !ifMatch.matches(entry, true)) {
                ctx.fail(new ApiError(412, "entry is at " + Replies.etag(entry) + ", which If-Match does not name"));
            } else if (ifNoneMatch != null && ifNoneMatch.matches(entry, false)) {
                ctx.response().setStatusCode(304).putHeader("ETag", Replies.etag(entry)).end();
            } else {
                Replies.sendEntry(ctx, 200, entry);
            }
        } catch (ApiError malformed) {
            ctx.fail(malformed);
        }
    }

    /** The field's value, every line of it joined as RFC 9110 §5.3 allows; null when absent. */
    private static Field field(HttpServerRequest request, String name) {
        List<String> lines = request.headers().getAll(name);
        if (lines.isEmpty()) {
            return null;
        }
        String value = String.join(",", lines).trim();
        if (value.equals("*")) {
            return new Field(true, List.of());
        }
        List<Tag> tags = new ArrayList<>();
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c == ',' || c == ' ' || c == '\t') {
                i++;
                continue;
            }
            boolean weak = value.startsWith("W/", i);
            int open = weak ? i + 2 : i;
            int close = open < value.length() && value.charAt(open) == '"' ? value.indexOf('"', open + 1) : -1;
            if (close < 0 || !opaque(value, open + 1, close) || !separated(value, close + 1)) {
                throw ApiError.badRequest(name + " must be * or a list of entity-tags such as \"12\", was '"
                        + value + "'");
            }
            tags.add(new Tag(weak, value.substring(open + 1, close)));
            i = close + 1;
        }
        if (tags.isEmpty()) {
            throw ApiError.badRequest(name + " is empty");
        }
        return new Field(false, tags);
    }

    /** etagc (RFC 9110 §8.8.3): visible characters but '"', and obs-text. */
    private static boolean opaque(String value, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** After a tag: optional whitespace, then a comma or the end. */
    private static boolean separated(String value, int from) {
        for (int i = from; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',') {
                return true;
            }
            if (c != ' ' && c != '\t') {
                return false;
            }
        }
        return true;
    }
}
