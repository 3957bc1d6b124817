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
 * @param access  the entries it may touch, and whether it may write
 * @param expires when it stops being valid (session tokens), or null
 * @param parent  the id of the token that minted it (session tokens), or null
 */
public record TokenRecord(long id, String hash, String owner, Scope scope, String label, Instant created,
                          Instant revoked, Access access, Instant expires, Long parent) {
    public boolean active() {
        return revoked == null;
    }

    /** Whether it is valid at this time (epoch ms): not revoked, not expired. */
    public boolean validAt(long nowMs) {
        return revoked == null && (expires == null || expires.toEpochMilli() > nowMs);
    }

    /** A short-lived token minted over REST for a browser. */
    public boolean session() {
        return expires != null;
    }

    /** What the token may do, as operators and clients read it: private, public or session. */
    public String kind() {
        return session() ? "session" : scope.label();
    }

    /** An unrestricted private token that never expires: what reporting status and operating need. */
    public boolean unrestrictedPrivate() {
        return scope == Scope.PRIVATE && !session() && access.equals(Access.UNRESTRICTED);
    }
}
