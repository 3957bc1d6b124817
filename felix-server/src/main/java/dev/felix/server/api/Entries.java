package dev.felix.server.api;

import dev.felix.protocol.EntryKind;
import dev.felix.server.store.Entry;
import dev.felix.server.store.EntryJson;
import dev.felix.server.store.Store;
import dev.felix.server.store.StoreException;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The guild or user entries of an embedded gateway. Writes follow the same rules as the REST API
 * and, once committed, reach every WebSocket client that listens to the entry.
 *
 * <p>Every method returns at once; the future completes on a store thread once the work is done,
 * so do not block in its callbacks.
 */
public final class Entries {
    private final EntryKind kind;
    private final Store store;

    Entries(EntryKind kind, Store store) {
        this.kind = kind;
        this.store = store;
    }

    /**
     * Replaces an entry with a JSON object. Its {@code id} field, when present, must be {@code id}; it is
     * set when absent.
     *
     * @return the change sequence of the write
     * @throws IllegalArgumentException when {@code id} is not a snowflake or {@code json} not a JSON object
     */
    public CompletableFuture<Long> put(String id, String json) {
        checkId(id);
        String normalized = EntryJson.normalize(id, json);
        return store.put(kind, id, normalized).thenApply(Entry::seq);
    }

    /** The entry as JSON, or empty when it does not exist. */
    public CompletableFuture<Optional<String>> get(String id) {
        checkId(id);
        return store.get(kind, id).thenApply(entry -> entry.map(Entry::json));
    }

    /**
     * Deletes an entry; listeners receive it with a {@code null} data.
     *
     * @return the change sequence of the deletion; fails with {@link StoreException.NotFound} when
     *         there is no such entry
     */
    public CompletableFuture<Long> delete(String id) {
        checkId(id);
        return store.write(kind, id, null, current -> {
            if (current == null) {
                throw new StoreException.NotFound("no " + kind.name().toLowerCase() + " entry " + id);
            }
            return null;
        }).thenApply(Entry::seq);
    }

    private static void checkId(String id) {
        if (!EntryJson.isSnowflake(id)) {
            throw new IllegalArgumentException("entry ID must be a snowflake (1 to 20 digits), was " + id);
        }
    }
}
