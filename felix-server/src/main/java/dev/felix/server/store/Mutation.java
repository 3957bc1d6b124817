package dev.felix.server.store;

import java.util.Objects;

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

    /**
     * The mutation of a write that replaces the entry whatever it holds (a PUT without a condition).
     * The store sees that it needs no current version and does not read one.
     */
    static Mutation replaceWith(String json) {
        return new Replace(Objects.requireNonNull(json, "json"));
    }

    /** See {@link #replaceWith(String)}. */
    record Replace(String json) implements Mutation {
        @Override
        public String apply(Entry current) {
            return json;
        }
    }
}
