package dev.felix.server.api;

import dev.felix.api.Entries;
import dev.felix.api.EntryNotFoundException;
import dev.felix.protocol.EntryKind;
import dev.felix.server.entries.Condition;
import dev.felix.server.entries.EntryService;
import dev.felix.server.store.Access;
import dev.felix.server.store.Entry;
import dev.felix.server.store.StoreException;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@link Entries} of one kind through the entry service REST uses too, so that an embedding bot's
 * writes follow the same rules and count in the same metrics, with the bot's unrestricted access.
 */
final class ServiceEntries implements Entries {
    private final EntryKind kind;
    private final EntryService entries;

    ServiceEntries(EntryKind kind, EntryService entries) {
        this.kind = kind;
        this.entries = entries;
    }

    @Override
    public CompletableFuture<Long> put(String id, String json) {
        return entries.put(Access.UNRESTRICTED, kind, id, EntryService.parse(json), Condition.NONE)
                .thenApply(Entry::seq);
    }

    @Override
    public CompletableFuture<Optional<String>> get(String id) {
        return entries.get(Access.UNRESTRICTED, kind, id).thenApply(entry -> entry.map(Entry::json));
    }

    @Override
    public CompletableFuture<Long> delete(String id) {
        return entries.delete(Access.UNRESTRICTED, kind, id, Condition.NONE).thenApply(Entry::seq)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(inApiTerms(e)));
    }

    /** The store's own failure for a missing entry is the server's; the bot sees the API's. */
    private static Throwable inApiTerms(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return cause instanceof StoreException.NotFound notFound ? new EntryNotFoundException(notFound.getMessage()) : e;
    }
}
