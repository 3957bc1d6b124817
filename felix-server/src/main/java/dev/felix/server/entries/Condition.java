package dev.felix.server.entries;

/**
 * What a write requires of the entry's current version (REST's {@code If-Match}).
 *
 * @param seq    when not null, the entry's seq must be this
 * @param exists whether the entry must exist
 */
public record Condition(Long seq, boolean exists) {
    /** No requirement. */
    public static final Condition NONE = new Condition(null, false);
    /** The entry must exist, in whatever version ({@code If-Match: *}). */
    public static final Condition EXISTS = new Condition(null, true);

    /** The entry must be at this version. */
    public static Condition seq(long seq) {
        return new Condition(seq, false);
    }
}
