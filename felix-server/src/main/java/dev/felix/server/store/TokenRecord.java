package dev.felix.server.store;

import java.time.Instant;

/**
 * A token as the store knows it: never the token itself, only its SHA-256 hash.
 *
 * @param id      short number operators use to name it (e.g. to revoke it)
 * @param hash    hex SHA-256 of the token
 * @param owner   who it was minted for (a Discord user ID, a team name)
 * @param scope   private or public
 * @param label   free text, may be null
 * @param created when it was minted
 * @param revoked when it was revoked, or null while it is valid
 */
public record TokenRecord(long id, String hash, String owner, Scope scope, String label, Instant created,
                          Instant revoked) {
    public boolean active() {
        return revoked == null;
    }
}
