package dev.felix.server.store.postgres;

import dev.felix.protocol.EntryKind;
import dev.felix.server.store.Entry;
import dev.felix.server.testing.RunningPostgres;
import dev.felix.server.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** What only the PostgreSQL store does: changes by other programs, several nodes, a dropped LISTEN. */
@RunningPostgres
class PostgresStoreTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<PostgresStore> opened = new ArrayList<>();
    private String url;

    @BeforeEach
    void newDatabase(TestPostgres postgres) {
        url = postgres.newDatabase();
    }

    @AfterEach
    void closeStores() {
        opened.forEach(PostgresStore::close);
    }

    private PostgresStore open(PostgresSettings settings) {
        PostgresStore store = PostgresStore.open(settings);
        opened.add(store);
        return store;
    }

    private PostgresStore open() {
        return open(TestPostgres.settings(url));
    }

    private static List<Entry> collect(PostgresStore store) {
        List<Entry> seen = Collections.synchronizedList(new ArrayList<>());
        store.onChange(seen::add);
        return seen;
    }

    private long queryLong(String sql) {
        try (Connection conn = DriverManager.getConnection(url); Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<Long> seqs(List<Entry> entries) {
        synchronized (entries) {
            return entries.stream().map(Entry::seq).toList();
        }
    }

    @Test
    void plainSqlInsertUpdateAndDeleteReachListeners() {
        PostgresStore store = open();
        List<Entry> seen = collect(store);

        TestPostgres.execute(url,
                "INSERT INTO guilds (id, data) VALUES ('42', '{\"id\": \"42\", \"prefix\": \"?\"}')",
                "UPDATE guilds SET data = jsonb_set(data, '{prefix}', '\"!\"') WHERE id = '42'",
                "INSERT INTO users (id, data) VALUES ('7', '{\"xp\": 1}')",
                "DELETE FROM users WHERE id = '7'");

        await().atMost(WAIT).until(() -> seen.size() == 4);
        assertThat(seen).extracting(Entry::kind, Entry::id, Entry::json).containsExactly(
                org.assertj.core.groups.Tuple.tuple(EntryKind.GUILD, "42", "{\"id\":\"42\",\"prefix\":\"?\"}"),
                org.assertj.core.groups.Tuple.tuple(EntryKind.GUILD, "42", "{\"id\":\"42\",\"prefix\":\"!\"}"),
                org.assertj.core.groups.Tuple.tuple(EntryKind.USER, "7", "{\"xp\":1}"),
                org.assertj.core.groups.Tuple.tuple(EntryKind.USER, "7", null));
        assertThat(seqs(seen)).isSorted().doesNotHaveDuplicates();

        List<Entry> changed = store.changedSince(EntryKind.USER, List.of("7"), 0).join();
        assertThat(changed).singleElement().satisfies(e -> assertThat(e.deleted()).isTrue());
        assertThat(store.get(EntryKind.GUILD, "42").join().orElseThrow().json()).contains("\"prefix\":\"!\"");
    }

    @Test
    void truncateReachesListenersAsADeletionOfEveryEntry() {
        PostgresStore store = open();
        // Listening from the start: a node hears its own writes through the change log, after they return.
        List<Entry> seen = collect(store);
        store.put(EntryKind.GUILD, "1", "{\"n\":1}").join();
        store.put(EntryKind.GUILD, "2", "{\"n\":2}").join();
        store.put(EntryKind.GUILD, "3", "{\"n\":3}").join();
        store.write(EntryKind.GUILD, "3", null, current -> null).join();
        store.put(EntryKind.USER, "9", "{\"n\":9}").join();
        await().atMost(WAIT).until(() -> seen.size() == 5);
        long logged = queryLong("SELECT count(*) FROM change_log");

        TestPostgres.execute(url, "TRUNCATE guilds");

        await().atMost(WAIT).until(() -> seen.size() == 7);
        assertThat(seen.subList(5, 7)).extracting(Entry::kind, Entry::id, Entry::deleted).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(EntryKind.GUILD, "1", true),
                org.assertj.core.groups.Tuple.tuple(EntryKind.GUILD, "2", true));
        // Guild 3 was already a tombstone: its deletion is not recorded twice.
        assertThat(queryLong("SELECT count(*) FROM change_log")).isEqualTo(logged + 2);
        assertThat(store.changedSince(EntryKind.GUILD, List.of("1", "2", "3"), 0).join())
                .allSatisfy(e -> assertThat(e.deleted()).isTrue()).hasSize(3);
        assertThat(store.get(EntryKind.USER, "9").join()).isPresent();
    }

    @Test
    void aTruncateThatMeetsAWriteInProgressFailsAtOnceInsteadOfDeadlocking() throws Exception {
        PostgresStore store = open();
        List<Entry> seen = collect(store);
        store.put(EntryKind.GUILD, "1", "{\"n\":1}").join();
        await().atMost(WAIT).until(() -> seen.size() == 1);
        try (Connection writer = DriverManager.getConnection(url); Statement st = writer.createStatement()) {
            writer.setAutoCommit(false);
            st.execute("SELECT felix_write_lock()");
            assertThatThrownBy(() -> TestPostgres.execute(url, "TRUNCATE guilds"))
                    .hasMessageContaining("SELECT felix_write_lock()");
            writer.rollback();
        }
        assertThat(store.get(EntryKind.GUILD, "1").join()).isPresent();

        TestPostgres.execute(url, "BEGIN", "SELECT felix_write_lock()", "TRUNCATE guilds", "COMMIT");
        await().atMost(WAIT).until(() -> seen.size() == 2);
        assertThat(seen.get(1).id()).isEqualTo("1");
        assertThat(seen.get(1).deleted()).isTrue();
    }

    @Test
    void everyNodeSeesEveryWriteOnceInTheSameOrderUnderConcurrentWriters() throws Exception {
        PostgresStore a = open();
        PostgresStore b = open();
        List<Entry> seenA = collect(a);
        List<Entry> seenB = collect(b);
        ExecutorService sqlWriters = Executors.newFixedThreadPool(2);
        try {
            List<CompletableFuture<Entry>> viaStores = new ArrayList<>();
            List<Future<?>> viaSql = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                viaSql.add(sqlWriters.submit(() -> {
                    // Several entries per transaction, so transactions overlap and commit in any order.
                    for (int i = 0; i < 20; i++) {
                        TestPostgres.execute(url, "BEGIN",
                                "INSERT INTO guilds (id, data) VALUES ('" + (1 + i % 3) + "', '{\"w\": " + writer + "}') "
                                        + "ON CONFLICT (id) DO UPDATE SET data = excluded.data",
                                "UPDATE users SET data = '{\"w\": " + writer + "}' WHERE id = '" + (i % 3) + "'",
                                "COMMIT");
                    }
                    return null;
                }));
            }
            for (int i = 0; i < 100; i++) {
                PostgresStore node = i % 2 == 0 ? a : b;
                viaStores.add(node.put(EntryKind.USER, String.valueOf(i % 3), "{\"i\":" + i + "}"));
                viaStores.add(node.put(EntryKind.GUILD, String.valueOf(1 + i % 3), "{\"i\":" + i + "}"));
            }
            for (Future<?> f : viaSql) {
                f.get(60, TimeUnit.SECONDS);
            }
            viaStores.forEach(CompletableFuture::join);
        } finally {
            sqlWriters.shutdownNow();
        }
        long total = queryLong("SELECT count(*) FROM change_log");
        await().atMost(WAIT).until(() -> seenA.size() >= total && seenB.size() >= total);

        List<Long> logged = new ArrayList<>();
        try (Connection conn = DriverManager.getConnection(url); Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT seq FROM change_log ORDER BY seq")) {
            while (rs.next()) {
                logged.add(rs.getLong(1));
            }
        }
        assertThat(seqs(seenA)).containsExactlyElementsOf(logged);
        assertThat(seqs(seenB)).containsExactlyElementsOf(logged);
        // Per entry, the last change a listener saw is the entry's stored version.
        Map<String, Entry> lastSeen = new ConcurrentHashMap<>();
        seenB.forEach(e -> lastSeen.put(e.kind() + e.id(), e));
        for (String id : List.of("0", "1", "2")) {
            assertThat(lastSeen.get(EntryKind.USER + id).seq())
                    .isEqualTo(a.get(EntryKind.USER, id).join().orElseThrow().seq());
        }
    }

    @Test
    void aLowerSeqThatCommitsLateIsNotSkipped() throws Exception {
        PostgresStore store = open();
        List<Entry> seen = collect(store);
        try (Connection slow = DriverManager.getConnection(url); Statement st = slow.createStatement()) {
            slow.setAutoCommit(false);
            st.execute("INSERT INTO guilds (id, data) VALUES ('1', '{\"slow\": true}')");
            CompletableFuture<Entry> fast = store.put(EntryKind.GUILD, "2", "{\"fast\":true}");
            // The fast write draws its seq only once the slow one has committed, so it cannot overtake it:
            // the barrier is PostgreSQL itself showing the writer waiting for the slow transaction's lock.
            await().atMost(WAIT).until(() -> sessionsWaitingForALock() == 1);
            assertThat(fast).isNotDone();
            slow.commit();
            fast.get(20, TimeUnit.SECONDS);
        }
        await().atMost(WAIT).until(() -> seen.size() == 2);
        assertThat(seen).extracting(Entry::id).containsExactly("1", "2");
        assertThat(seqs(seen)).isSorted();
    }

    @Test
    void aPlainSqlWriteRacingAGatewayWriteOfTheSameEntryDoesNotDeadlock() throws Exception {
        PostgresStore store = open();
        List<Entry> seen = collect(store);
        store.put(EntryKind.GUILD, "1", "{\"n\":0}").join();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Entry> held = store.write(EntryKind.GUILD, "1", null, current -> {
            inside.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "{\"n\":1}";
        });
        assertThat(inside.await(20, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> sql = CompletableFuture.runAsync(
                () -> TestPostgres.execute(url, "UPDATE guilds SET data = '{\"n\": 2}' WHERE id = '1'"));
        // The SQL update now waits for the write lock that the gateway's transaction holds.
        await().atMost(WAIT).until(
                () -> queryLong("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == 1);
        release.countDown();

        assertThat(held.get(20, TimeUnit.SECONDS).json()).isEqualTo("{\"n\":1}");
        sql.get(20, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> seen.size() == 3);
        assertThat(seen).extracting(Entry::json).containsExactly("{\"n\":0}", "{\"n\":1}", "{\"n\":2}");
    }

    @Test
    void aKilledListenConnectionLosesNothingAndRepeatsNothing() throws Exception {
        PostgresStore store = open();
        List<Entry> seen = collect(store);
        List<Long> committed = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 150; i++) {
                committed.add(store.put(EntryKind.GUILD, String.valueOf(i % 5), "{\"i\":" + i + "}").join().seq());
                TestPostgres.execute(url, "UPDATE users SET data = '{\"i\": " + i + "}' WHERE id = 'none'",
                        "INSERT INTO users (id, data) VALUES ('" + (i % 4) + "', '{\"i\": " + i + "}') "
                                + "ON CONFLICT (id) DO UPDATE SET data = excluded.data");
            }
        });
        for (int kill = 0; kill < 3; kill++) {
            await().atMost(WAIT).until(() -> store.listenerBackendPid() != 0);
            int pid = store.listenerBackendPid();
            TestPostgres.execute(url, "SELECT pg_terminate_backend(" + pid + ")");
            await().atMost(WAIT).until(() -> store.listenerBackendPid() != pid && store.listenerBackendPid() != 0);
        }
        writing.get(60, TimeUnit.SECONDS);
        long total = queryLong("SELECT count(*) FROM change_log");
        assertThat(total).isEqualTo(300);
        // The feed delivers in seq order, so once a later write arrives any repeat of the earlier ones has too.
        long marker = store.put(EntryKind.GUILD, "marker", "{}").join().seq();
        await().atMost(WAIT).until(() -> seqs(seen).contains(marker));
        List<Long> delivered = seqs(seen);
        assertThat(delivered.get(delivered.size() - 1)).isEqualTo(marker);
        assertThat(delivered.subList(0, delivered.size() - 1))
                .hasSize(300).isSorted().doesNotHaveDuplicates().containsAll(committed);
    }

    @Test
    void aRestartedNodeFollowsNewChangesWithoutReplayingOldOnes() {
        PostgresStore first = open();
        long before = first.put(EntryKind.GUILD, "1", "{\"n\":1}").join().seq();
        first.close();

        PostgresStore again = open();
        List<Entry> seen = collect(again);
        long after = again.put(EntryKind.GUILD, "1", "{\"n\":2}").join().seq();
        TestPostgres.execute(url, "UPDATE guilds SET data = '{\"n\": 3}' WHERE id = '1'");

        await().atMost(WAIT).until(() -> seen.size() == 2);
        assertThat(seqs(seen)).first().isEqualTo(after);
        assertThat(after).isGreaterThan(before);
        assertThat(seen.get(1).json()).isEqualTo("{\"n\":3}");
    }

    @Test
    void oldChangeLogRowsArePrunedButEntriesStay() {
        PostgresStore store = open(new PostgresSettings(url, null, null, Duration.ofSeconds(1), Duration.ofMillis(200)));
        store.put(EntryKind.GUILD, "1", "{\"n\":1}").join();
        assertThat(queryLong("SELECT count(*) FROM change_log")).isEqualTo(1);
        await().atMost(WAIT).until(() -> queryLong("SELECT count(*) FROM change_log") == 0);
        assertThat(store.get(EntryKind.GUILD, "1").join()).isPresent();
    }

    @Test
    void statusReportsAreSharedWithEveryNodeAndLateJoiners() {
        PostgresStore a = open();
        PostgresStore b = open();
        Map<String, String> onB = new ConcurrentHashMap<>();
        b.onStatus((reporter, json) -> {
            if (json == null) {
                onB.remove(reporter);
            } else {
                onB.put(reporter, json);
            }
        });
        a.publishStatus("bot", "{\"shards\":[],\"guildsCount\":5}");
        await().atMost(WAIT).until(() -> onB.getOrDefault("bot", "").contains("\"guildsCount\": 5"));

        PostgresStore late = open();
        Map<String, String> onLate = new ConcurrentHashMap<>();
        late.onStatus((reporter, json) -> {
            if (json != null) {
                onLate.put(reporter, json);
            }
        });
        await().atMost(WAIT).until(() -> onLate.containsKey("bot"));

        a.publishStatus("bot", null);
        await().atMost(WAIT).until(() -> !onB.containsKey("bot"));
    }

    /** On a connection of its own: within a transaction, pg_stat_activity keeps showing its first snapshot. */
    private int sessionsWaitingForALock() throws Exception {
        try (Connection conn = DriverManager.getConnection(url); Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
