package dev.felix.server.store;

import dev.felix.protocol.EntryKind;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a token may touch (its scope): every guild and user, or only the listed ones; and whether it
 * may write. A scoped token lists the IDs of both kinds; a kind it lists nothing of is closed to it.
 *
 * @param scoped   false for a token that may touch every entry (the guild and user sets are then empty)
 * @param guilds   the guild IDs a scoped token may touch
 * @param users    the user IDs a scoped token may touch
 * @param readOnly true for a token that may read but never write
 */
public record Access(boolean scoped, Set<String> guilds, Set<String> users, boolean readOnly) {
    /** Every entry, reads and writes: an unrestricted private token, the embedding API. */
    public static final Access UNRESTRICTED = new Access(false, Set.of(), Set.of(), false);
    /** Every entry, reads only: a public token. */
    public static final Access READ_ANY = new Access(false, Set.of(), Set.of(), true);

    public Access {
        guilds = Set.copyOf(guilds);
        users = Set.copyOf(users);
    }

    /** A token that may touch only these IDs. */
    public static Access only(Collection<String> guilds, Collection<String> users, boolean readOnly) {
        return new Access(true, Set.copyOf(guilds), Set.copyOf(users), readOnly);
    }

    public Set<String> ids(EntryKind kind) {
        return kind == EntryKind.GUILD ? guilds : users;
    }

    /** Whether the scope includes this entry (reading it; writing also needs {@link #readOnly()} false). */
    public boolean includes(EntryKind kind, String id) {
        return !scoped || ids(kind).contains(id);
    }

    /** The IDs among these that the scope includes, in their order. */
    public List<String> filter(EntryKind kind, Collection<String> ids) {
        if (!scoped) {
            return List.copyOf(ids);
        }
        Set<String> allowed = ids(kind);
        return ids.stream().filter(allowed::contains).toList();
    }

    /** Whether a token with {@code other} may do nothing this one may not: what minting a session token needs. */
    public boolean covers(Access other) {
        if (readOnly && !other.readOnly) {
            return false;
        }
        if (!scoped) {
            return true;
        }
        return other.scoped && guilds.containsAll(other.guilds) && users.containsAll(other.users);
    }

    /**
     * As {@code token list} shows it, without spaces: {@code all}, or {@code guilds=1,2;users=3} (a kind
     * with no IDs as {@code -}), then {@code ;read-only} for a read-only token.
     */
    public String describe() {
        String ids = !scoped ? "all" : "guilds=" + list(guilds) + ";users=" + list(users);
        return readOnly ? ids + ";read-only" : ids;
    }

    private static String list(Set<String> ids) {
        return ids.isEmpty() ? "-" : String.join(",", new TreeSet<>(ids));
    }
}
