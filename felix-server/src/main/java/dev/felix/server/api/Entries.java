package dev.felix.server.api;

import dev.felix.protocol.EntryKind;
import dev.felix.server.entries.Condition;
import dev.felix.server.entries.EntryService;
import dev.felix.server.store.Access;
import dev.felix.server.store.Entry;
import dev.felix.server.store.StoreException;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The guild or user entries of an embedded gateway. Writes follow the same rules as the REST API
 * (they go through the same service, and count in the same metrics) and, once committed, reach
 * every WebSocket client that listens to the entry. The bot's own code may touch every entry.
 *
 * <p>Every method returns at once; the future completes on a store thread once the work is done,
 * so do not block in its callbacks.
 */
public final class Entries {
    private final EntryKind kind;
    private final EntryService entries;

    Entries(EntryKind kind, EntryService entries) {
        this.kind = kind;
        this.entries = entries;
    }

    /**
     * Replaces an entry with a JSON object. Its {@code id} field, when present, must be {@code id}; it is
     * set when absent.
     *
     * @return the change sequence of the write
     * @throws IllegalArgumentException when {@code id} is not a snowflake or {@code json} not a JSON object
     */
    public CompletableFuture<Long> put(String id, String json) {
        return entries.put(Access.UNRESTRICTED, kind, id, EntryService.parse(json), Condition.NONE)
                .thenApply(Entry::seq);
    }

    /**
     * The entry as JSON, or empty when it does not exist.
     *
     * @throws IllegalArgumentException when {@code id} is not a snowflake
     */
    public CompletableFuture<Optional<String>> get(String id) {
        return entries.get(Access.UNRESTRICTED, kind, id).thenApply(entry -> entry.map(Entry::json));
    }

    /**
     * Deletes an entry; listeners receive it with a {@code null} data.
     *
     * @return the change sequence of the deletion; fails with {@link StoreException.NotFound} when
     *         there is no such entry
     * @throws IllegalArgumentException when {@code id} is not a snowflake
     */
    public CompletableFuture<Long> delete(String id) {
        return entries.delete(Access.UNRESTRICTED, kind, id, Condition.NONE).thenApply(Entry::seq);
    }
}
