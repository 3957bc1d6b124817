package dev.felix.server.store;

import dev.felix.protocol.EntryKind;

/**
 * One version of a guild or user entry: what a read returns and what the change feed carries.
 *
 * @param kind guild or user
 * @param id   the snowflake
 * @param json the entry as a compact JSON object, or {@code null} when this version is a deletion
 * @param seq  the global change sequence of the write that made this version
 */
public record Entry(EntryKind kind, String id, String json, long seq) {
    public boolean deleted() {
        return json == null;
    }
}
