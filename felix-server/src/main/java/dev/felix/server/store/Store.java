package dev.felix.server.store;

import dev.felix.protocol.EntryKind;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Guild and user entries, tokens, and the change feed: everything the gateway keeps.
 *
 * <p>A store owns its threads: entry methods return at once and complete their future on a
 * store thread once the work is committed, so callers on an event loop never block. Token
 * methods block and are meant for the CLI and for background threads.
 *
 * <p>The rules every backend keeps (both go through {@link GroupCommit}, which keeps the first three):
 * <ul>
 *   <li>Every future completes, whatever the database does; a write that fails with anything but
 *       {@link StoreException.OutcomeUnknown} was not committed and never will be.</li>
 *   <li>One bad write fails alone: a refusal, or a value the database rejects, does not fail the
 *       writes committed with it.</li>
 *   <li>A {@link Mutation} may run more than once for one write (a failed batch is retried write by
 *       write), so it must be free of side effects.</li>
 *   <li>Seqs become visible in seq order: once a change with seq n is read or fed to a listener,
 *       every change below n is committed, so a reader that resumes from n misses nothing.</li>
 * </ul>
 */
public interface Store extends AutoCloseable {

    /**
     * Writes one entry: the mutation sees the current version and returns the new one. The future
     * completes after the commit with the stored version, or fails with a {@link StoreException}.
     *
     * @param expectedSeq when not null, the write is refused with
     *                    {@link StoreException.PreconditionFailed} unless the entry's seq is this
     */
    CompletableFuture<Entry> write(EntryKind kind, String id, Long expectedSeq, Mutation mutation);

    /** Replaces an entry with a JSON object. */
    default CompletableFuture<Entry> put(EntryKind kind, String id, String json) {
        return write(kind, id, null, Mutation.replaceWith(json));
    }

    /** The entry, unless it does not exist or was deleted. */
    CompletableFuture<Optional<Entry>> get(EntryKind kind, String id);

    /** The existing entries among these IDs, ordered by ID. */
    CompletableFuture<List<Entry>> getAll(EntryKind kind, Collection<String> ids);

    /** Existing entries with an ID greater than {@code afterId} (or all, when null), ordered by ID. */
    CompletableFuture<List<Entry>> list(EntryKind kind, String afterId, int limit);

    /** The latest version, deletions included, of each of these IDs that changed after {@code since}. */
    default CompletableFuture<List<Entry>> changedSince(EntryKind kind, Collection<String> ids, long since) {
        return changedSince(Map.of(kind, ids), since);
    }

    /**
     * As {@link #changedSince(EntryKind, Collection, long)} for several kinds at once, read at one
     * point in time, so that every change with a seq up to the highest one returned is included.
     * A resuming session relies on that to send updates in seq order.
     *
     * <p>A {@code since} above the highest seq the store has drawn is history it does not know (the
     * database was restored from an older backup): the answer is then every existing entry among
     * the IDs, as for {@code since} 0, so that a client holding newer state is given the current one.
     */
    CompletableFuture<List<Entry>> changedSince(Map<EntryKind, ? extends Collection<String>> ids, long since);

    /**
     * Registers a listener for every committed change. It is called on one store thread at a
     * time, in commit (seq) order, and must not block.
     */
    void onChange(Consumer<Entry> listener);

    /**
     * Shares a bot status report with every gateway on this store, so a report sent to one node
     * shows in heartbeat ACKs from all of them.
     *
     * @param reportJson the report as JSON, or {@code null} to withdraw the reporter
     */
    void publishStatus(String reporter, String reportJson);

    /** Registers a listener for status reports published by any gateway on this store, this one included. */
    void onStatus(BiConsumer<String, String> listener);

    /** Mints an unrestricted token record for the given hash. */
    default TokenRecord createToken(String hash, String owner, Scope scope, String label) {
        return createToken(new TokenTable.NewToken(hash, owner, scope, label, Access.UNRESTRICTED, null, null));
    }

    /** Mints a token record: scoped, read-only or expiring as the new token says. */
    default TokenRecord createToken(TokenTable.NewToken token) {
        return onTokens(conn -> TokenTable.insert(conn, token));
    }

    /**
     * Mints a private token record unless a valid private token exists, atomically across every
     * process on this store; empty if one existed. For the token a fresh install starts with.
     */
    Optional<TokenRecord> createFirstPrivateToken(String hash, String owner, String label);

    /** All tokens, revoked and expired ones too, ordered by id. */
    default List<TokenRecord> listTokens() {
        return onTokens(TokenTable::list);
    }

    /** The tokens valid at this time (epoch ms), ordered by id: what a gateway accepts. */
    default List<TokenRecord> listValidTokens(long nowMs) {
        return onTokens(conn -> TokenTable.listValid(conn, nowMs));
    }

    /** The token with this hash, whatever its state: for one minted elsewhere since the last reload. */
    default Optional<TokenRecord> findToken(String hash) {
        return onTokens(conn -> TokenTable.find(conn, hash));
    }

    /** Deletes the tokens that expired before this time (epoch ms); returns how many. */
    default int deleteExpiredTokens(long beforeMs) {
        return onTokens(conn -> TokenTable.deleteExpired(conn, beforeMs));
    }

    /** Revokes a token; false when no valid token has this id. */
    default boolean revokeToken(long id) {
        return onTokens(conn -> TokenTable.revoke(conn, id));
    }

    /**
     * Runs token SQL on the caller's thread, on the connection the store keeps for token work, and
     * fails with a {@link StoreException} when the SQL does: the token methods go through it, so
     * that a store only says where its token connection comes from and how a failure reads.
     */
    <T> T onTokens(TokenTable.Work<T> work);

    /** Whether the store can be reached, for readiness checks. */
    boolean ping();

    /**
     * Why entry writes fail now (the disk is full, the database is unreachable), or empty when the
     * last write or probe committed; for readiness checks and metrics.
     */
    Optional<String> cannotWrite();

    @Override
    void close();
}
