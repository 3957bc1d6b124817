package dev.felix.server.store.sqlite;

import dev.felix.protocol.EntryKind;
import dev.felix.server.config.Settings;
import dev.felix.server.store.Entry;
import dev.felix.server.store.GroupCommit;
import dev.felix.server.store.Migrations;
import dev.felix.server.store.Mutation;
import dev.felix.server.store.Store;
import dev.felix.server.store.StoreException;
import dev.felix.server.store.TokenRecord;
import dev.felix.server.store.TokenTable;
import org.slf4j.Logger;
import org.sqlite.SQLiteConfig;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The embedded store: one SQLite file in WAL mode.
 *
 * <p>Threads: every entry write goes through one writer thread ({@link GroupCommit}), which
 * commits what it took from its queue in one transaction, then completes the writers' futures
 * and feeds the change listeners in seq order. Reads and token work run on a small reader pool,
 * each thread with its own connection; WAL lets them read while the writer writes.
 */
public final class SqliteStore implements Store {
    private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);
    private static final List<String> MIGRATIONS = List.of("V1__init.sql", "V2__scoped_tokens.sql");
    private static final int MAX_BATCH = 512;
    private static final int READERS = 2;
    private static final int IN_CHUNK = 500;
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;
    private static final int SQLITE_FULL = 13;
    /** Free space a store that ran out of it needs before it calls itself writable again. */
    private static final long PROBE_MIN_FREE_BYTES = 1 << 20;

    private final Path file;
    private final String url;
    private final Connection writerConn;
    private final Connection tokenConn;
    private final GroupCommit writer;
    private final ExecutorService readers;
    private final List<Connection> readerConns = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Connection> readerConn = new ThreadLocal<>();
    private final List<Consumer<Entry>> listeners = new CopyOnWriteArrayList<>();
    private final List<BiConsumer<String, String>> statusListeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private SqliteStore(Path file, Duration writeDeadline) throws SQLException {
        this.file = file;
        this.url = "jdbc:sqlite:" + file.toAbsolutePath();
        this.writerConn = open();
        Migrations.apply(writerConn, "sqlite", MIGRATIONS);
        this.tokenConn = open();
        AtomicInteger n = new AtomicInteger();
        this.readers = Executors.newFixedThreadPool(READERS, r -> {
            Thread t = new Thread(r, "felix-sqlite-reader-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.writer = new GroupCommit("felix-sqlite-writer", MAX_BATCH, writeDeadline, new Backend(new WriterStatements()),
                this::publish);
    }

    /** Opens (and creates or migrates) {@code felix.db} in the data directory, with the default write deadline. */
    public static SqliteStore open(Path dataDir) {
        return open(dataDir, Settings.WRITE_DEADLINE.defaultValue());
    }

    /**
     * Opens (and creates or migrates) {@code felix.db} in the data directory.
     *
     * @param writeDeadline how long a write may wait for the writer before it fails
     */
    public static SqliteStore open(Path dataDir, Duration writeDeadline) {
        try {
            Files.createDirectories(dataDir);
            return new SqliteStore(dataDir.resolve("felix.db"), writeDeadline);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + dataDir, e);
        } catch (SQLException e) {
            throw new StoreException("cannot open SQLite store in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private Connection open() throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        // Else the driver runs SELECT last_insert_rowid() after every INSERT, for getGeneratedKeys(), which nothing calls.
        config.setGetGeneratedKeys(false);
        Connection conn = DriverManager.getConnection(url, config.toProperties());
        try (Statement st = conn.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            // NORMAL in WAL mode survives a killed process; only a power loss may drop the last commits.
            st.execute("PRAGMA synchronous=NORMAL");
            st.execute("PRAGMA busy_timeout=5000");
        }
        return conn;
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

    /**
     * The statements of every write, prepared once for the writer thread. The driver drops a statement
     * that failed with anything but busy, locked or a constraint (a full disk, an I/O error), so after a
     * failed transaction they are prepared anew.
     */
    private final class WriterStatements {
        final Map<EntryKind, PreparedStatement> selectCurrent = new EnumMap<>(EntryKind.class);
        final Map<EntryKind, PreparedStatement> upsert = new EnumMap<>(EntryKind.class);
        final List<PreparedStatement> all = new ArrayList<>();
        final PreparedStatement begin;
        final PreparedStatement commit;
        final PreparedStatement readSeq;
        final PreparedStatement storeSeq;

        WriterStatements() throws SQLException {
            try {
                // IMMEDIATE: takes the write lock now, so another process's writer makes it wait here, not fail later.
                begin = prepare("BEGIN IMMEDIATE");
                commit = prepare("COMMIT");
                readSeq = prepare("SELECT value FROM change_seq WHERE id = 1");
                storeSeq = prepare("UPDATE change_seq SET value = ? WHERE id = 1");
                for (EntryKind kind : EntryKind.values()) {
                    selectCurrent.put(kind, prepare("SELECT data, seq FROM " + table(kind) + " WHERE id = ?"));
                    upsert.put(kind, prepare("INSERT INTO " + table(kind) + " (id, data, seq) VALUES (?, ?, ?) "
                            + "ON CONFLICT (id) DO UPDATE SET data = excluded.data, seq = excluded.seq"));
                }
            } catch (SQLException e) {
                // Prepared again at the next transaction (during an outage, at every probe): none may be left open.
                close();
                throw e;
            }
        }

        private PreparedStatement prepare(String sql) throws SQLException {
            PreparedStatement ps = writerConn.prepareStatement(sql);
            all.add(ps);
            return ps;
        }

        void close() {
            for (PreparedStatement ps : all) {
                try {
                    ps.close();
                } catch (SQLException e) {
                    log.debug("closing a statement: {}", e.getMessage());
                }
            }
        }
    }

    /**
     * Transactions are begun and ended by statement, not by the driver: SQLite rolls back a
     * transaction itself when the disk is full, and the driver, asked to roll back after that,
     * would leave the connection outside any transaction.
     *
     * <p>The seqs of a transaction are drawn from {@code change_seq} once: read at its first write,
     * counted up here, and the last one stored before the commit. The write lock, held from
     * {@code BEGIN IMMEDIATE} on, keeps any other writer of the file out of the count meanwhile.
     */
    private final class Backend implements GroupCommit.Backend, GroupCommit.Transaction {
        private WriterStatements sql;
        /** Set when a statement failed, which the driver may have dropped. */
        private boolean failed;
        /** The last seq drawn in the open transaction, or -1 before its first write. */
        private long lastSeq = -1;

        Backend(WriterStatements sql) {
            this.sql = sql;
        }

        @Override
        public GroupCommit.Transaction begin() throws SQLException {
            if (failed) {
                sql.close();
                sql = new WriterStatements();
                failed = false;
            }
            lastSeq = -1;
            try {
                sql.begin.execute();
            } catch (SQLException e) {
                failed = true;
                throw e;
            }
            return this;
        }

        @Override
        public Entry current(EntryKind kind, String id) throws SQLException {
            PreparedStatement select = sql.selectCurrent.get(kind);
            select.setString(1, id);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? new Entry(kind, id, rs.getString(1), rs.getLong(2)) : null;
            }
        }

        @Override
        public Entry write(EntryKind kind, String id, String json, Entry current) throws SQLException {
            if (lastSeq < 0) {
                try (ResultSet rs = sql.readSeq.executeQuery()) {
                    rs.next();
                    lastSeq = rs.getLong(1);
                }
            }
            long seq = lastSeq + 1;
            PreparedStatement upsert = sql.upsert.get(kind);
            upsert.setString(1, id);
            upsert.setString(2, json);
            upsert.setLong(3, seq);
            upsert.executeUpdate();
            lastSeq = seq;
            return new Entry(kind, id, json, seq);
        }

        /** The upsert needs no current version. */
        @Override
        public Entry replace(EntryKind kind, String id, String json) throws SQLException {
            return write(kind, id, json, null);
        }

        @Override
        public void commit() throws SQLException {
            if (lastSeq >= 0) {
                sql.storeSeq.setLong(1, lastSeq);
                sql.storeSeq.executeUpdate();
            }
            sql.commit.execute();
        }

        @Override
        public void rollback() {
            // Each failure of a transaction ends here.
            failed = true;
            lastSeq = -1;
            try (Statement st = writerConn.createStatement()) {
                st.execute("ROLLBACK");
            } catch (SQLException e) {
                // Already rolled back by SQLite itself (it does on a full disk): nothing left to undo.
                log.debug("rollback: {}", e.getMessage());
            }
        }

        @Override
        public GroupCommit.Failure classify(SQLException e) {
            return switch (e.getErrorCode() & 0xff) {
                case SQLITE_FULL -> GroupCommit.Failure.FULL;
                case SQLITE_BUSY, SQLITE_LOCKED -> GroupCommit.Failure.UNAVAILABLE;
                default -> GroupCommit.Failure.OTHER;
            };
        }

        /**
         * A real commit, and room for more than a tiny one: a full disk often still takes a page or two,
         * which would call the store writable while every entry write fails.
         */
        @Override
        public void probe() throws SQLException {
            long free;
            try {
                free = Files.getFileStore(file).getUsableSpace();
            } catch (IOException e) {
                throw new SQLException("cannot read the free space of " + file + ": " + e.getMessage(), e);
            }
            if (free < PROBE_MIN_FREE_BYTES) {
                throw new SQLException(free + " bytes free on the file system of " + file);
            }
            begin();
            try (Statement st = writerConn.createStatement()) {
                st.executeUpdate("UPDATE change_seq SET value = value WHERE id = 1");
                commit();
            } catch (SQLException e) {
                rollback();
                throw e;
            }
        }
    }

    private void publish(Entry entry) {
        for (Consumer<Entry> listener : listeners) {
            try {
                listener.accept(entry);
            } catch (RuntimeException e) {
                log.error("change listener failed for {} {}", entry.kind(), entry.id(), e);
            }
        }
    }

    @Override
    public void onChange(Consumer<Entry> listener) {
        listeners.add(listener);
    }

    /** One SQLite file serves one gateway process, so sharing a report is a local call. */
    @Override
    public void publishStatus(String reporter, String reportJson) {
        statusListeners.forEach(l -> l.accept(reporter, reportJson));
    }

    @Override
    public void onStatus(BiConsumer<String, String> listener) {
        statusListeners.add(listener);
    }

    // ---- reads -------------------------------------------------------------------------

    @FunctionalInterface
    private interface Read<T> {
        T run(Connection conn) throws SQLException;
    }

    private <T> CompletableFuture<T> read(Read<T> work) {
        // Hop: JDBC blocks, so reads leave the caller's thread for the reader pool.
        return CompletableFuture.supplyAsync(() -> readNow(work), readers);
    }

    private <T> T readNow(Read<T> work) {
        try {
            Connection conn = readerConn.get();
            if (conn == null) {
                conn = open();
                readerConns.add(conn);
                readerConn.set(conn);
            }
            return work.run(conn);
        } catch (SQLException e) {
            throw new StoreException("read failed: " + e.getMessage(), e);
        }
    }

    private <T> T onReader(Read<T> work) {
        try {
            return read(work).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    @Override
    public CompletableFuture<Optional<Entry>> get(EntryKind kind, String id) {
        return read(conn -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT id, data, seq FROM " + table(kind) + " WHERE id = ? AND data IS NOT NULL")) {
                ps.setString(1, id);
                List<Entry> found = entries(kind, ps);
                return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
            }
        });
    }

    @Override
    public CompletableFuture<List<Entry>> getAll(EntryKind kind, Collection<String> ids) {
        List<String> all = List.copyOf(ids);
        return read(conn -> select(conn, kind, all, "data IS NOT NULL", null));
    }

    /** Both kinds in one read transaction: WAL gives it one snapshot of the database. */
    @Override
    public CompletableFuture<List<Entry>> changedSince(Map<EntryKind, ? extends Collection<String>> ids, long since) {
        Map<EntryKind, List<String>> all = new EnumMap<>(EntryKind.class);
        ids.forEach((kind, list) -> all.put(kind, List.copyOf(list)));
        return read(conn -> {
            conn.setAutoCommit(false);
            try {
                boolean unknownHistory = since > head(conn);
                List<Entry> out = new ArrayList<>();
                for (Map.Entry<EntryKind, List<String>> e : all.entrySet()) {
                    out.addAll(unknownHistory ? select(conn, e.getKey(), e.getValue(), "data IS NOT NULL", null)
                            : select(conn, e.getKey(), e.getValue(), "seq > ?", since));
                }
                return out;
            } finally {
                conn.setAutoCommit(true);
            }
        });
    }

    /** The highest seq drawn. */
    private static long head(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT value FROM change_seq WHERE id = 1")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The rows of these IDs that meet the condition, in chunks that stay under SQLite's parameter limit. */
    private static List<Entry> select(Connection conn, EntryKind kind, List<String> ids, String condition,
                                      Long param) throws SQLException {
        List<Entry> out = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += IN_CHUNK) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IN_CHUNK));
            String marks = String.join(",", Collections.nCopies(chunk.size(), "?"));
            try (PreparedStatement ps = conn.prepareStatement("SELECT id, data, seq FROM " + table(kind)
                    + " WHERE " + condition + " AND id IN (" + marks + ")")) {
                int i = 1;
                if (param != null) {
                    ps.setLong(i++, param);
                }
                for (String id : chunk) {
                    ps.setString(i++, id);
                }
                out.addAll(entries(kind, ps));
            }
        }
        out.sort(Comparator.comparing(Entry::id));
        return out;
    }

    @Override
    public CompletableFuture<List<Entry>> list(EntryKind kind, String afterId, int limit) {
        return read(conn -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT id, data, seq FROM " + table(kind)
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
                out.add(new Entry(kind, rs.getString(1), rs.getString(2), rs.getLong(3)));
            }
        }
        return out;
    }

    // ---- tokens ------------------------------------------------------------------------

    @Override
    public Optional<TokenRecord> createFirstPrivateToken(String hash, String owner, String label) {
        // One writing statement: SQLite takes the database's write lock before it runs the check.
        return onTokens(conn -> TokenTable.insertFirstPrivate(conn, hash, owner, label));
    }

    /**
     * On a connection of the token methods' own: queued behind entry reads, a revocation would wait
     * for however many snapshots clients asked for.
     */
    @Override
    public <T> T onTokens(TokenTable.Work<T> work) {
        synchronized (tokenConn) {
            try {
                return work.run(tokenConn);
            } catch (SQLException e) {
                throw new StoreException("token query failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public boolean ping() {
        try {
            return onReader(conn -> {
                try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
                    return rs.next();
                }
            });
        } catch (RuntimeException e) {
            return false;
        }
    }

    // ---- lifecycle ---------------------------------------------------------------------

    /** Finishes queued writes, then closes every connection. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        writer.close();
        readers.shutdown();
        try {
            readers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(writerConn);
        readerConns.forEach(SqliteStore::closeQuietly);
        synchronized (tokenConn) {
            closeQuietly(tokenConn);
        }
    }

    private static void closeQuietly(Connection conn) {
        try {
            conn.close();
        } catch (SQLException e) {
            log.warn("closing a SQLite connection failed", e);
        }
    }
}
