package dev.felix.server.entries;

import dev.felix.server.store.Entry;

/**
 * What a write requires of the entry as it is when the write runs (REST's {@code If-Match} and
 * {@code If-None-Match}). Checked inside the store's write, against the version the write replaces.
 */
@FunctionalInterface
public interface Condition {
    /** No requirement. */
    Condition NONE = current -> null;

    /** Null when the entry as it is ({@code null} when there is none) meets the condition, else why not. */
    String refusal(Entry current);
}
