package dev.felix.api;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The guild or user entries of an embedded gateway. Writes follow the same rules as the REST API
 * and, once committed, reach every WebSocket client that listens to the entry. The bot's own code
 * may touch every entry.
 *
 * <p>Every method returns at once; the future completes on a store thread once the work is done,
 * so do not block in its callbacks.
 */
public interface Entries {
    /**
     * Replaces an entry with a JSON object. Its {@code id} field, when present, must be {@code id}; it is
     * set when absent.
     *
     * @return the change sequence of the write
     * @throws IllegalArgumentException when {@code id} is not a snowflake or {@code json} not a JSON object
     */
    CompletableFuture<Long> put(String id, String json);

    /**
     * The entry as JSON, or empty when it does not exist.
     *
     * @throws IllegalArgumentException when {@code id} is not a snowflake
     */
    CompletableFuture<Optional<String>> get(String id);

    /**
     * Deletes an entry; listeners receive it with a {@code null} data.
     *
     * @return the change sequence of the deletion; fails with {@link EntryNotFoundException} when
     *         there is no such entry
     * @throws IllegalArgumentException when {@code id} is not a snowflake
     */
    CompletableFuture<Long> delete(String id);
}
