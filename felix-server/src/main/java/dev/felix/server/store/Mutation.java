package dev.felix.server.store;

/**
 * Computes the new state of an entry from its current one. Runs inside the write transaction,
 * so read-modify-write (a merge patch) is atomic. It may run more than once for one write (when a
 * batch fails, each write is retried alone), so it must not have side effects.
 */
@FunctionalInterface
public interface Mutation {
    /**
     * @param current the entry as it is, or {@code null} when it does not exist (or was deleted)
     * @return the new JSON object, or {@code null} to delete the entry
     * @throws StoreException.NotFound when the mutation needs an entry that is not there
     */
    String apply(Entry current);
}
