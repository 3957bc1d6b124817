package dev.felix.server.rest;

import dev.felix.server.store.Entry;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** What every route needs: waiting for the store, writing entries. */
final class Replies {
    static final String JSON = "application/json";

    private Replies() {
    }

    /** Hop: a store future completes on a store thread; continue on the request's event loop. */
    static <T> Future<T> await(RoutingContext ctx, CompletionStage<T> stage) {
        return Future.fromCompletionStage(stage, ctx.vertx().getOrCreateContext());
    }

    static void sendEntry(RoutingContext ctx, int status, Entry entry) {
        ctx.response().setStatusCode(status)
                .putHeader("Content-Type", JSON)
                .putHeader("ETag", etag(entry))
                .end(entry.json());
    }

    /** A JSON array of entries, each as stored. */
    static void sendEntries(RoutingContext ctx, List<Entry> entries) {
        StringBuilder out = new StringBuilder(2 + entries.size() * 64).append('[');
        for (Entry entry : entries) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(entry.json());
        }
        ctx.response().putHeader("Content-Type", JSON).end(out.append(']').toString());
    }

    static String etag(Entry entry) {
        return "\"" + entry.seq() + "\"";
    }

    static void noContent(RoutingContext ctx) {
        ctx.response().setStatusCode(204).end();
    }
}
