package dev.felix.server.store.postgres;

import dev.felix.protocol.EntryKind;
import dev.felix.server.store.Entry;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Follows {@code change_log} and {@code status_reports} for one node, on one thread
 * ({@code felix-pg-listener}) with one dedicated connection that LISTENs on both channels.
 *
 * <p>A notification only wakes the thread; what it delivers always comes from the tables: every
 * change-log row after the last seq it delivered, in seq order. It also reads the log once per poll
 * interval, which bounds the delay should a notification ever be missed. When the connection drops
 * it reconnects and carries on from the last delivered seq, so a listener sees every change once.
 * Seqs become visible in seq order (writers hold one advisory lock from drawing a seq to commit, see
 * V1__init.sql), so a row below the last delivered seq can never appear later and the feed need not
 * wait on gaps, which rolled-back writes leave.
 */
final class ChangeFeed {
    static final String CHANGE_CHANNEL = "felix_changes";
    static final String STATUS_CHANNEL = "felix_status";
    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
    private static final int PAGE = 1000;
    private static final long MAX_BACKOFF_MS = 5_000;

    private final PostgresSettings settings;
    private final Thread thread;
    private final List<Consumer<Entry>> changeListeners = new CopyOnWriteArrayList<>();
    private final List<BiConsumer<String, String>> statusListeners = new CopyOnWriteArrayList<>();
    /** Reporters delivered as present, so a resync can tell listeners of the ones withdrawn meanwhile. */
    private final Set<String> knownReporters = new HashSet<>();
    private final long pruneEveryMs;
    private volatile boolean closed;
    private volatile boolean statusResync;
    private volatile int backendPid;
    private long lastSeq;
    private long nextPruneAt;

    ChangeFeed(PostgresSettings settings, long lastSeq) {
        this.settings = settings;
        this.lastSeq = lastSeq;
        this.pruneEveryMs = Math.max(1_000, Math.min(settings.retention().toMillis() / 2, 600_000));
        this.thread = new Thread(this::run, "felix-pg-listener");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void onChange(Consumer<Entry> listener) {
        changeListeners.add(listener);
    }

    /** The new listener learns the stored reports on the next round of the feed thread. */
    void onStatus(BiConsumer<String, String> listener) {
        statusListeners.add(listener);
        statusResync = true;
    }

    int backendPid() {
        return backendPid;
    }

    private Connection connect() throws SQLException {
        Properties props = new Properties();
        if (settings.user() != null) {
            props.setProperty("user", settings.user());
        }
        if (settings.password() != null) {
            props.setProperty("password", settings.password());
        }
        props.setProperty("ApplicationName", "felix-gateway listener");
        // A half-open TCP connection must not hang the feed: reads give up after a while and reconnect.
        props.setProperty("socketTimeout", String.valueOf(Math.max(30, settings.pollInterval().toSeconds() * 10)));
        props.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(settings.url(), props);
    }

    private void run() {
        long backoffMs = 100;
        while (!closed) {
            try (Connection conn = connect()) {
                PGConnection pg = conn.unwrap(PGConnection.class);
                try (Statement st = conn.createStatement()) {
                    st.execute("LISTEN " + CHANGE_CHANNEL);
                    st.execute("LISTEN " + STATUS_CHANNEL);
                }
                backendPid = pg.getBackendPID();
                // Notifications sent while no LISTEN was in place are lost: read what they announced.
                catchUp(conn);
                resyncStatus(conn);
                backoffMs = 100;
                follow(conn, pg);
            } catch (SQLException | RuntimeException e) {
                backendPid = 0;
                if (closed) {
                    return;
                }
                log.warn("change feed connection lost ({}); reconnecting in {} ms, resuming after seq {}",
                        e.toString(), backoffMs, lastSeq);
                sleep(backoffMs);
                backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            }
        }
    }

    private void follow(Connection conn, PGConnection pg) throws SQLException {
        int pollMs = (int) settings.pollInterval().toMillis();
        while (!closed) {
            PGNotification[] notes = pg.getNotifications(pollMs);
            Set<String> reporters = new LinkedHashSet<>();
            if (notes != null) {
                for (PGNotification n : notes) {
                    if (STATUS_CHANNEL.equals(n.getName())) {
                        reporters.add(n.getParameter());
                    }
                }
            }
            catchUp(conn);
            if (statusResync) {
                resyncStatus(conn);
            } else {
                for (String reporter : reporters) {
                    deliverStatus(conn, reporter);
                }
            }
            if (System.currentTimeMillis() >= nextPruneAt) {
                prune(conn);
            }
        }
    }

    /** Delivers every change-log row after {@link #lastSeq}, in seq order. */
    private void catchUp(Connection conn) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT seq, kind, id, data::text FROM change_log WHERE seq > ? ORDER BY seq LIMIT " + PAGE)) {
            int rows;
            do {
                rows = 0;
                ps.setLong(1, lastSeq);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        EntryKind kind = "guild".equals(rs.getString(2)) ? EntryKind.GUILD : EntryKind.USER;
                        Entry entry = new Entry(kind, rs.getString(3), Json.compact(rs.getString(4)), rs.getLong(1));
                        deliver(entry);
                        lastSeq = entry.seq();
                    }
                }
            } while (rows == PAGE && !closed);
        }
    }

    private void deliver(Entry entry) {
        // Listeners run here, on the feed thread: one thread, seq order, as Store#onChange promises.
        for (Consumer<Entry> listener : changeListeners) {
            try {
                listener.accept(entry);
            } catch (RuntimeException e) {
                log.error("change listener failed for {} {}", entry.kind(), entry.id(), e);
            }
        }
    }

    private void deliverStatus(Connection conn, String reporter) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT report::text FROM status_reports WHERE reporter = ?")) {
            ps.setString(1, reporter);
            try (ResultSet rs = ps.executeQuery()) {
                String json = rs.next() ? rs.getString(1) : null;
                deliverStatus(reporter, json);
            }
        }
    }

    /** Delivers every stored report, and withdraws the reporters delivered before that are gone. */
    private void resyncStatus(Connection conn) throws SQLException {
        statusResync = false;
        Map<String, String> stored = new HashMap<>();
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT reporter, report::text FROM status_reports ORDER BY reporter")) {
            while (rs.next()) {
                stored.put(rs.getString(1), rs.getString(2));
            }
        }
        for (String gone : new HashSet<>(knownReporters)) {
            if (!stored.containsKey(gone)) {
                deliverStatus(gone, null);
            }
        }
        stored.forEach(this::deliverStatus);
    }

    private void deliverStatus(String reporter, String json) {
        if (json == null) {
            knownReporters.remove(reporter);
        } else {
            knownReporters.add(reporter);
        }
        for (BiConsumer<String, String> listener : statusListeners) {
            try {
                listener.accept(reporter, json);
            } catch (RuntimeException e) {
                log.error("status listener failed for reporter {}", reporter, e);
            }
        }
    }

    /** Every node prunes; the deletes are idempotent and cheap on the recorded_at index. */
    private void prune(Connection conn) throws SQLException {
        nextPruneAt = System.currentTimeMillis() + pruneEveryMs;
        try (PreparedStatement ps = conn.prepareStatement(
                "DELETE FROM change_log WHERE recorded_at < now() - make_interval(secs => ?)")) {
            ps.setDouble(1, settings.retention().toMillis() / 1000.0);
            int pruned = ps.executeUpdate();
            if (pruned > 0) {
                log.debug("pruned {} change-log rows older than {}", pruned, settings.retention());
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops after the current round (at most one poll interval). */
    void close() {
        closed = true;
        try {
            thread.join(settings.pollInterval().toMillis() + 5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
