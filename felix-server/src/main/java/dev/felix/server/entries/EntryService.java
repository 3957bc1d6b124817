package dev.felix.server.entries;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.felix.protocol.EntryKind;
import dev.felix.server.auth.AccessDenied;
import dev.felix.server.metrics.GatewayMetrics;
import dev.felix.server.store.Access;
import dev.felix.server.store.Entry;
import dev.felix.server.store.EntryJson;
import dev.felix.server.store.Mutation;
import dev.felix.server.store.Store;
import dev.felix.server.store.StoreException;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Every read and write of a guild or user entry, whoever asks (the REST routes, the original
 * paths, the embedding API): the ID and body rules, the caller's {@link Access}, and the write
 * timings ({@code felix_store_writes_seconds}). The caller has authenticated its token and hands
 * in what that token may touch.
 *
 * <p>Invalid input throws {@link InvalidEntry} and a denied one {@link AccessDenied} before
 * anything reaches the store; the futures complete on a store thread, failing with a
 * {@link StoreException} when the store refuses.
 */
public final class EntryService {
    /** The most IDs one batch read may name, and one page may hold. */
    public static final int MAX_IDS = 1000;

    private final Store store;
    private final GatewayMetrics metrics;

    public EntryService(Store store, GatewayMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    // ---- reads ---------------------------------------------------------------------------

    /** The entry, or empty when it does not exist. */
    public CompletableFuture<Optional<Entry>> get(Access access, EntryKind kind, String id) {
        checkRead(access, kind, id);
        return store.get(kind, id);
    }

    /** The existing entries among these IDs that the scope includes, ordered by ID. */
    public CompletableFuture<List<Entry>> getAll(Access access, EntryKind kind, Collection<String> ids) {
        if (ids.size() > MAX_IDS) {
            throw new InvalidEntry("at most " + MAX_IDS + " IDs per request, got " + ids.size());
        }
        ids.forEach(EntryService::checkId);
        List<String> visible = access.filter(kind, ids);
        return visible.isEmpty() ? CompletableFuture.completedFuture(List.of()) : store.getAll(kind, visible);
    }

    /** A page: up to {@code limit} entries in the scope with an ID after {@code afterId} (or from the first), by ID. */
    public CompletableFuture<List<Entry>> list(Access access, EntryKind kind, String afterId, int limit) {
        if (afterId != null) {
            checkId(afterId);
        }
        if (limit < 1 || limit > MAX_IDS) {
            throw new InvalidEntry("limit must be 1-" + MAX_IDS + ", was " + limit);
        }
        if (!access.scoped()) {
            return store.list(kind, afterId, limit);
        }
        // A scope holds at most MAX_IDS per kind, so its entries are read at once and the page cut here.
        List<String> ids = access.ids(kind).stream().filter(id -> afterId == null || id.compareTo(afterId) > 0).toList();
        return ids.isEmpty() ? CompletableFuture.completedFuture(List.of())
                : store.getAll(kind, ids).thenApply(found -> found.size() <= limit ? found : found.subList(0, limit));
    }

    // ---- writes --------------------------------------------------------------------------

    /** Replaces an entry with a JSON object, whose {@code id}, when present, must be the entry's. */
    public CompletableFuture<Entry> put(Access access, EntryKind kind, String id, ObjectNode body, Condition condition) {
        checkWrite(access, kind, id);
        String json = rule(() -> EntryJson.normalize(id, body));
        return write(kind, id, condition, Mutation.replaceWith(json));
    }

    /** Applies an RFC 7396 merge patch to an existing entry; fails with {@link StoreException.NotFound} otherwise. */
    public CompletableFuture<Entry> patch(Access access, EntryKind kind, String id, ObjectNode patch,
                                          Condition condition) {
        checkWrite(access, kind, id);
        rule(() -> {
            EntryJson.checkPatch(id, patch);
            return null;
        });
        return write(kind, id, condition, current -> EntryJson.merge(id, existing(kind, id, current).json(), patch));
    }

    /** Deletes an existing entry (listeners receive it with null data); fails with {@link StoreException.NotFound} otherwise. */
    public CompletableFuture<Entry> delete(Access access, EntryKind kind, String id, Condition condition) {
        checkWrite(access, kind, id);
        return write(kind, id, condition, current -> {
            existing(kind, id, current);
            return null;
        });
    }

    private CompletableFuture<Entry> write(EntryKind kind, String id, Condition condition, Mutation mutation) {
        Mutation checked = condition == Condition.NONE ? mutation : current -> {
            String refusal = condition.refusal(current);
            if (refusal != null) {
                throw new StoreException.PreconditionFailed(noun(kind) + " " + id + " " + refusal);
            }
            return mutation.apply(current);
        };
        return metrics.timeWrite(kind, store.write(kind, id, null, checked));
    }

    private static Entry existing(EntryKind kind, String id, Entry current) {
        if (current == null) {
            throw new StoreException.NotFound(noun(kind) + " " + id + " not found");
        }
        return current;
    }

    // ---- rules ---------------------------------------------------------------------------

    /** Discord snowflakes: 1 to 20 digits. */
    public static String checkId(String id) {
        if (!EntryJson.isSnowflake(id)) {
            throw new InvalidEntry("ID must be a snowflake (1-20 digits), was '" + id + "'");
        }
        return id;
    }

    private static void checkRead(Access access, EntryKind kind, String id) {
        checkId(id);
        if (!access.includes(kind, id)) {
            throw new AccessDenied("this token's scope does not include " + noun(kind) + " " + id);
        }
    }

    private static void checkWrite(Access access, EntryKind kind, String id) {
        checkRead(access, kind, id);
        if (access.readOnly()) {
            throw new AccessDenied("this token may only read");
        }
    }

    /** A rule of {@link EntryJson}, its refusal turned into {@link InvalidEntry}. */
    private static <T> T rule(Supplier<T> check) {
        try {
            return check.get();
        } catch (InvalidEntry e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidEntry(e.getMessage());
        }
    }

    /** An entry body: a JSON object an entry may hold, as bytes from a request. */
    public static ObjectNode parse(byte[] body) {
        return rule(() -> EntryJson.parseObject(body));
    }

    /** As {@link #parse(byte[])}, for JSON text. */
    public static ObjectNode parse(String body) {
        return rule(() -> EntryJson.parseObject(body));
    }

    static String noun(EntryKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}
