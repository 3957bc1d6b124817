package dev.felix.server.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.felix.protocol.EntryKind;
import dev.felix.server.store.Entry;
import dev.felix.server.store.GroupCommit;
import dev.felix.server.store.Migrations;
import dev.felix.server.store.Mutation;
import dev.felix.server.store.Store;
import dev.felix.server.store.StoreException;
import dev.felix.server.store.TokenRecord;
import dev.felix.server.store.TokenTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The scale-out store: PostgreSQL shared by any number of gateway nodes.
 *
 * <p>Triggers record every change of an entry, whoever makes it, in {@code change_log} under a
 * global seq and send {@code NOTIFY felix_changes}; each node's {@link ChangeFeed} reads the log in
 * seq order and feeds the change listeners, so a node's own writes reach its listeners the same way
 * as everybody else's.
 *
 * <p>Threads: entry writes go through one writer thread ({@link GroupCommit}) that commits what it
 * took from its queue in one transaction and completes the writers' futures. Reads run on a small pool.
 * Status reports are published on one thread so that a reporter's reports keep their order. Token
 * methods run on the caller's thread. Connections come from a HikariCP pool, except the feed's
 * listening connection, which must stay the same session.
 */
public final class PostgresStore implements Store {
    private static final Logger log = LoggerFactory.getLogger(PostgresStore.class);
    private static final List<String> MIGRATIONS = List.of("V1__init.sql", "V2__truncate.sql", "V3__scoped_tokens.sql");
    /** Session lock that lets one node at a time migrate the schema. */
    private static final long MIGRATION_LOCK = 440729135481L;
    private static final int MAX_BATCH = 256;
    private static final int READERS = 2;

    private final HikariDataSource pool;
    private final Duration writeDeadline;
    private final GroupCommit writer;
    private final ExecutorService readers;
    private final ExecutorService statusPublisher;
    private final ChangeFeed feed;
    private volatile boolean closed;

    private PostgresStore(PostgresSettings settings) throws SQLException {
        this.writeDeadline = settings.writeDeadline();
        this.pool = new HikariDataSource(poolConfig(settings));
        try {
            long lastSeq;
            try (Connection conn = pool.getConnection()) {
                migrate(conn);
                lastSeq = maxSeq(conn);
            }
            AtomicInteger n = new AtomicInteger();
            this.readers = Executors.newFixedThreadPool(READERS, r -> daemon(r, "felix-pg-reader-" + n.incrementAndGet()));
            this.statusPublisher = Executors.newSingleThreadExecutor(r -> daemon(r, "felix-pg-status"));
            this.feed = new ChangeFeed(settings, lastSeq);
            this.writer = new GroupCommit("felix-pg-writer", MAX_BATCH, writeDeadline, new Backend(), entry -> {
                // Listeners get this node's writes from the change feed, like everybody else's.
            });
            this.feed.start();
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** Connects, creates or migrates the schema, and starts following the change log from its current end. */
    public static PostgresStore open(PostgresSettings settings) {
        try {
            return new PostgresStore(settings);
        } catch (SQLException | RuntimeException e) {
            throw new StoreException("cannot open PostgreSQL store at " + settings.safeUrl() + ": " + e.getMessage(), e);
        }
    }

    private static HikariConfig poolConfig(PostgresSettings settings) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(settings.url());
        if (settings.user() != null) {
            c.setUsername(settings.user());
        }
        if (settings.password() != null) {
            c.setPassword(settings.password());
        }
        // The writer, the readers, the status publisher and a token call at once.
        c.setMaximumPoolSize(READERS + 3);
        c.setMinimumIdle(1);
        c.setPoolName("felix-pg");
        // A write or read waits for a connection no longer than a write may wait at all.
        c.setConnectionTimeout(Math.max(250, settings.writeDeadline().toMillis()));
        c.setInitializationFailTimeout(10_000);
        return c;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void migrate(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
            try {
                Migrations.apply(conn, "postgres", MIGRATIONS);
            } finally {
                st.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
            }
        }
    }

    private static long maxSeq(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(seq), 0) FROM change_log")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String table(EntryKind kind) {
        return kind == EntryKind.GUILD ? "guilds" : "users";
    }

    // ---- writes ------------------------------------------------------------------------

    @Override
    public CompletableFuture<Entry> write(EntryKind kind, String id, Long expectedSeq, Mutation mutation) {
        return writer.submit(kind, id, expectedSeq, mutation);
    }

    @Override
    public Optional<String> cannotWrite() {
        return writer.cannotWrite();
    }

    private final class Backend implements GroupCommit.Backend {
        @Override
        public GroupCommit.Transaction begin() throws SQLException {
            Connection conn = pool.getConnection();
            try {
                conn.setAutoCommit(false);
                // A database that stops answering mid-transaction fails the write instead of holding the writer.
                // (PgJDBC sets the timeout on its socket and does not use the executor.)
                conn.setNetworkTimeout(Runnable::run, (int) writeDeadline.toMillis());
                // First, before any row lock: see V1__init.sql for why every entry writer takes this lock.
                try (Statement st = conn.createStatement()) {
                    st.execute("SELECT felix_write_lock()");
                }
                return new Transaction(conn);
            } catch (SQLException | RuntimeException e) {
                new Transaction(conn).rollback();
                throw e;
            }
        }

        @Override
        public GroupCommit.Failure classify(SQLException e) {
            return PostgresStore.classify(e);
        }

        @Override
        public void probe() throws SQLException {
            try (Connection conn = pool.getConnection()) {
                if (!conn.isValid((int) Math.max(1, writeDeadline.toSeconds()))) {
                    throw new SQLException("PostgreSQL does not answer");
                }
            }
        }
    }

    private static GroupCommit.Failure classify(SQLException e) {
        if (e instanceof SQLTransientConnectionException) {
            return GroupCommit.Failure.UNAVAILABLE;
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.equals("53100")) {
            return GroupCommit.Failure.FULL;
        }
        if (state.startsWith("53") || state.equals("57P03")) {
            // Out of connections or memory, or still starting: nothing of the write was taken.
            return GroupCommit.Failure.UNAVAILABLE;
        }
        if (state.startsWith("08") || state.startsWith("57P")) {
            return GroupCommit.Failure.LOST;
        }
        return GroupCommit.Failure.OTHER;
    }

    private record Transaction(Connection conn) implements GroupCommit.Transaction {
        @Override
        public Entry current(EntryKind kind, String id) throws SQLException {
            try (PreparedStatement ps = conn.prepareStatement("SELECT data::text, seq FROM " + table(kind) + " WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? new Entry(kind, id, Json.compact(rs.getString(1)), rs.getLong(2)) : null;
                }
            }
        }

        @Override
        public Entry write(EntryKind kind, String id, String json, Entry current) throws SQLException {
            String table = table(kind);
            // The triggers draw the seq; the statement only says what the data is.
            String sql = current == null
                    ? "INSERT INTO " + table + " (data, id) VALUES (?::jsonb, ?) RETURNING data::text, seq"
                    : "UPDATE " + table + " SET data = ?::jsonb WHERE id = ? RETURNING data::text, seq";
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                ps.setString(1, json);
                ps.setString(2, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Entry(kind, id, Json.compact(rs.getString(1)), rs.getLong(2));
                }
            }
        }

        @Override
        public void commit() throws SQLException {
            try {
                conn.commit();
            } finally {
                conn.close();
            }
        }

        @Override
        public void rollback() {
            try (conn) {
                conn.rollback();
            } catch (SQLException e) {
                // A broken connection has nothing left to undo: PostgreSQL drops what it did not commit.
                log.debug("rollback: {}", e.getMessage());
            }
        }
    }

    @Override
    public void onChange(Consumer<Entry> listener) {
        feed.onChange(listener);
    }

    /**
     * Stores the report and notifies every node in one transaction; the nodes then read the stored
     * report, so a node that missed a notification still ends with the latest one.
     */
    @Override
    public void publishStatus(String reporter, String reportJson) {
        if (closed) {
            return;
        }
        // Hop: off the caller's thread (often an event loop) onto the one status thread, which keeps order.
        statusPublisher.execute(() -> {
            try (Connection conn = pool.getConnection()) {
                conn.setAutoCommit(false);
                try {
                    String sql = reportJson == null
                            ? "DELETE FROM status_reports WHERE reporter = ?"
                            : "INSERT INTO status_reports (reporter, report) VALUES (?, ?::jsonb) ON CONFLICT (reporter) "
                            + "DO UPDATE SET report = excluded.report, updated_at = now()";
                    try (PreparedStatement ps = conn.prepareStatement(sql)) {
                        ps.setString(1, reporter);
                        if (reportJson != null) {
                            ps.setString(2, reportJson);
                        }
                        ps.executeUpdate();
                    }
                    try (PreparedStatement ps = conn.prepareStatement("SELECT pg_notify('" + ChangeFeed.STATUS_CHANNEL
                            + "', ?)")) {
                        ps.setString(1, reporter);
                        ps.execute();
                    }
                    conn.commit();
                } catch (SQLException | RuntimeException e) {
                    conn.rollback();
                    throw e;
                }
            } catch (SQLException | RuntimeException e) {
                log.error("publishing the status of {} failed", reporter, e);
            }
        });
    }

    @Override
    public void onStatus(BiConsumer<String, String> listener) {
        feed.onStatus(listener);
    }

    // ---- reads -------------------------------------------------------------------------

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection conn) throws SQLException;
    }

    private <T> CompletableFuture<T> read(Work<T> work) {
        if (closed) {
            return CompletableFuture.failedFuture(new StoreException("store is closed"));
        }
        if (writer.unreachable()) {
            // Known down (the writer's probe says when it is back): answer now rather than wait for a connection.
            return CompletableFuture.failedFuture(new StoreException.Unavailable(
                    "PostgreSQL is unavailable: " + writer.cannotWrite().orElse("unreachable"), null));
        }
        // Hop: JDBC blocks, so reads leave the caller's thread for the reader pool.
        return CompletableFuture.supplyAsync(() -> now(work), readers);
    }

    private <T> T now(Work<T> work) {
        try (Connection conn = pool.getConnection()) {
            return work.run(conn);
        } catch (SQLException e) {
            GroupCommit.Failure failure = classify(e);
            if (failure == GroupCommit.Failure.UNAVAILABLE || failure == GroupCommit.Failure.LOST) {
                throw new StoreException.Unavailable("PostgreSQL is unavailable: " + e.getMessage(), e);
            }
            throw new StoreException("PostgreSQL: " + e.getMessage(), e);
        }
    }

    @Override
    public CompletableFuture<Optional<Entry>> get(EntryKind kind, String id) {
        return read(conn -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT id, data::text, seq FROM " + table(kind) + " WHERE id = ? AND data IS NOT NULL")) {
                ps.setString(1, id);
                List<Entry> found = entries(kind, ps);
                return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
            }
        });
    }

    @Override
    public CompletableFuture<List<Entry>> getAll(EntryKind kind, Collection<String> ids) {
        String[] all = ids.toArray(String[]::new);
        return read(conn -> existing(conn, kind, all));
    }

    private static List<Entry> existing(Connection conn, EntryKind kind, String[] ids) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT id, data::text, seq FROM " + table(kind)
                + " WHERE id = ANY (?) AND data IS NOT NULL ORDER BY id")) {
            ps.setArray(1, conn.createArrayOf("text", ids));
            return entries(kind, ps);
        }
    }

    /** The highest seq drawn, by any node. */
    private static long head(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM change_seq")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** All kinds in one REPEATABLE READ transaction: one snapshot, so no change below the highest seq returned is missing. */
    @Override
    public CompletableFuture<List<Entry>> changedSince(Map<EntryKind, ? extends Collection<String>> ids, long since) {
        Map<EntryKind, String[]> all = new EnumMap<>(EntryKind.class);
        ids.forEach((kind, list) -> all.put(kind, list.toArray(String[]::new)));
        return read(conn -> {
            conn.setAutoCommit(false);
            conn.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                boolean unknownHistory = since > head(conn);
                List<Entry> out = new ArrayList<>();
                for (Map.Entry<EntryKind, String[]> e : all.entrySet()) {
                    out.addAll(unknownHistory ? existing(conn, e.getKey(), e.getValue())
                            : changedSince(conn, e.getKey(), e.getValue(), since));
                }
                conn.commit();
                return out;
            } finally {
                conn.rollback();
                conn.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                conn.setAutoCommit(true);
            }
        });
    }

    /** Current rows changed after {@code since}, and rows deleted by plain SQL since then (as deletions). */
    private static List<Entry> changedSince(Connection conn, EntryKind kind, String[] ids, long since)
            throws SQLException {
        String table = table(kind);
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT id, data::text, seq FROM " + table + " WHERE id = ANY (?) AND seq > ? "
                        + "UNION ALL "
                        + "SELECT * FROM (SELECT DISTINCT ON (c.id) c.id, NULL::text, c.seq FROM change_log c "
                        + "WHERE c.kind = ? AND c.id = ANY (?) AND c.seq > ? AND c.data IS NULL "
                        + "AND NOT EXISTS (SELECT 1 FROM " + table + " t WHERE t.id = c.id) "
                        + "ORDER BY c.id, c.seq DESC) gone "
                        + "ORDER BY 1")) {
            Array array = conn.createArrayOf("text", ids);
            ps.setArray(1, array);
            ps.setLong(2, since);
            ps.setString(3, kind == EntryKind.GUILD ? "guild" : "user");
            ps.setArray(4, array);
            ps.setLong(5, since);
            return entries(kind, ps);
        }
    }

    @Override
    public CompletableFuture<List<Entry>> list(EntryKind kind, String afterId, int limit) {
        return read(conn -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT id, data::text, seq FROM " + table(kind)
                    + " WHERE data IS NOT NULL AND id > ? ORDER BY id LIMIT ?")) {
                ps.setString(1, afterId == null ? "" : afterId);
                ps.setInt(2, limit);
                return entries(kind, ps);
            }
        });
    }

    private static List<Entry> entries(EntryKind kind, PreparedStatement ps) throws SQLException {
        List<Entry> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Entry(kind, rs.getString(1), Json.compact(rs.getString(2)), rs.getLong(3)));
            }
        }
        return out;
    }

    // ---- tokens ------------------------------------------------------------------------

    @Override
    public Optional<TokenRecord> createFirstPrivateToken(String hash, String owner, String label) {
        return now(conn -> {
            conn.setAutoCommit(false);
            try (Statement st = conn.createStatement()) {
                // Held to commit: nodes starting together on an empty database would each mint one.
                st.execute("LOCK TABLE tokens IN SHARE ROW EXCLUSIVE MODE");
                Optional<TokenRecord> minted = TokenTable.insertFirstPrivate(conn, hash, owner, label);
                conn.commit();
                return minted;
            } finally {
                conn.rollback();
                conn.setAutoCommit(true);
            }
        });
    }

    /** On a pooled connection, as entry reads that run now: a database that cannot be reached fails it as Unavailable. */
    @Override
    public <T> T onTokens(TokenTable.Work<T> work) {
        return now(work::run);
    }

    @Override
    public boolean ping() {
        try (Connection conn = pool.getConnection()) {
            return conn.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** The process id of the backend that listens for changes, or 0 while it is reconnecting (for tests). */
    public int listenerBackendPid() {
        return feed.backendPid();
    }

    // ---- lifecycle ---------------------------------------------------------------------

    /** Commits queued writes, stops the feed, then closes every connection. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        writer.close();
        feed.close();
        readers.shutdown();
        statusPublisher.shutdown();
        try {
            readers.awaitTermination(5, TimeUnit.SECONDS);
            statusPublisher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.close();
    }
}
