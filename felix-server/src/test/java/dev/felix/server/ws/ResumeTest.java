package dev.felix.server.ws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.ClientMessage;
import dev.felix.protocol.EntryKind;
import dev.felix.protocol.Wire;
import dev.felix.server.store.Entry;
import dev.felix.server.testing.RunningGateway;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The resume extension: {@code since} in a listeners update, {@code seq} on every update. */
@RunningGateway
class ResumeTest {
    private static final List<String> GUILDS = List.of("101", "102", "103");
    private static final List<String> USERS = List.of("201");
    private TestGateway gw;

    private static String listen(List<String> users, List<String> guilds, Long since) {
        return Wire.encodeListenersUpdate(new ClientMessage.ListenersUpdate(users, guilds, since));
    }

    private long put(EntryKind kind, String id, String json) {
        return gw.gateway.store().put(kind, id, json).join().seq();
    }

    private void delete(EntryKind kind, String id) {
        gw.gateway.store().write(kind, id, null, current -> null).join();
    }

    private static String key(JsonNode update) {
        JsonNode data = update.get("data");
        return data.has("guildID") ? "g:" + data.get("guildID").textValue() : "u:" + data.get("userID").textValue();
    }

    private static JsonNode entryData(JsonNode update) {
        JsonNode data = update.get("data");
        return data.has("guildData") ? data.get("guildData") : data.get("userData");
    }

    @Test
    void resumeSendsEachChangedEntryOnceWithItsLatestState() {
        long lastSeen = 0;
        try (WsTestClient first = gw.connect()) {
            first.send(listen(USERS, GUILDS, null));
            first.sync();
            for (String id : GUILDS) {
                put(EntryKind.GUILD, id, "{\"n\":-1}");
            }
            put(EntryKind.USER, "201", "{\"n\":-1}");
            for (int i = 0; i < 4; i++) {
                lastSeen = Math.max(lastSeen, first.next().get("seq").longValue());
            }
        }

        for (int i = 0; i < 20; i++) {
            put(EntryKind.GUILD, "101", "{\"n\":" + i + "}");
        }
        for (int i = 0; i < 5; i++) {
            put(EntryKind.GUILD, "102", "{\"n\":" + i + "}");
        }
        delete(EntryKind.GUILD, "102");
        for (int i = 0; i < 3; i++) {
            put(EntryKind.USER, "201", "{\"n\":" + i + "}");
        }
        put(EntryKind.GUILD, "104", "{\"n\":0}");
        put(EntryKind.USER, "202", "{\"n\":0}");

        try (WsTestClient second = gw.connect()) {
            second.send(listen(USERS, GUILDS, lastSeen));
            List<JsonNode> got = List.of(second.next(), second.next(), second.next());
            assertThat(got).extracting(ResumeTest::key).containsExactlyInAnyOrder("g:101", "g:102", "u:201");
            Map<String, JsonNode> byKey = new HashMap<>();
            got.forEach(m -> byKey.put(key(m), m));
            Messages.assertEnvelope(byKey.get("g:101"), 10002, "GDB Update");
            assertThat(entryData(byKey.get("g:101")).get("n").intValue()).isEqualTo(19);
            assertThat(entryData(byKey.get("g:102")).isNull()).isTrue();
            Messages.assertEnvelope(byKey.get("u:201"), 10003, "UDB Update");
            assertThat(entryData(byKey.get("u:201")).get("n").intValue()).isEqualTo(2);
            assertThat(got).extracting(m -> m.get("seq").longValue()).isSorted().allMatch(seq -> seq > 0);
            assertThat(second.sync()).isEmpty();

            long live = put(EntryKind.GUILD, "103", "{\"n\":0}");
            JsonNode update = second.next();
            assertThat(key(update)).isEqualTo("g:103");
            assertThat(update.get("seq").longValue()).isEqualTo(live);
        }
    }

    @Test
    void sinceZeroIsASnapshotOfTheListenedEntriesThatExist() {
        put(EntryKind.GUILD, "101", "{\"n\":1}");
        put(EntryKind.GUILD, "102", "{\"n\":2}");
        delete(EntryKind.GUILD, "102");
        put(EntryKind.USER, "201", "{\"n\":3}");
        put(EntryKind.USER, "299", "{\"n\":4}");
        try (WsTestClient client = gw.connect()) {
            client.send(listen(USERS, GUILDS, 0L));
            List<JsonNode> got = List.of(client.next(), client.next());
            assertThat(got).extracting(ResumeTest::key).containsExactlyInAnyOrder("g:101", "u:201");
            assertThat(client.sync()).isEmpty();
        }
    }

    @Test
    void clientThatNeverSendsSinceGetsNoSnapshot() {
        put(EntryKind.GUILD, "101", "{\"n\":1}");
        put(EntryKind.USER, "201", "{\"n\":1}");
        try (WsTestClient client = gw.connect()) {
            client.send(listen(USERS, GUILDS, null));
            assertThat(client.sync()).isEmpty();
            client.send(listen(USERS, List.of("101"), null));
            assertThat(client.sync()).isEmpty();
            long seq = put(EntryKind.GUILD, "101", "{\"n\":2}");
            JsonNode update = client.next();
            assertThat(key(update)).isEqualTo("g:101");
            assertThat(update.get("seq").longValue()).isEqualTo(seq);
        }
    }

    @Test
    void resumeWorksAcrossAGatewayRestart() {
        long lastSeen;
        try (WsTestClient client = gw.connect()) {
            client.send(listen(USERS, GUILDS, null));
            client.sync();
            put(EntryKind.GUILD, "101", "{\"n\":1}");
            lastSeen = client.next().get("seq").longValue();
        }
        gw = gw.restart();
        long changed = put(EntryKind.GUILD, "101", "{\"n\":2}");
        put(EntryKind.GUILD, "104", "{\"n\":2}");
        assertThat(changed).isGreaterThan(lastSeen);
        try (WsTestClient client = gw.connect()) {
            client.send(listen(USERS, GUILDS, lastSeen));
            JsonNode update = client.next();
            assertThat(key(update)).isEqualTo("g:101");
            assertThat(update.get("seq").longValue()).isEqualTo(changed);
            assertThat(entryData(update).get("n").intValue()).isEqualTo(2);
            assertThat(client.sync()).isEmpty();
        }
    }

    /** An older backup restored: seqs go back, and a client's since is above the store's head. */
    @Test
    void aSinceAboveTheHeadOfARestoredBackupGetsAFullSnapshot() throws Exception {
        long first = put(EntryKind.GUILD, "101", "{\"n\":1}");
        long second = put(EntryKind.GUILD, "102", "{\"n\":1}");
        Path backup = gw.dataDir.resolve("backup.db");
        try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + gw.dataDir.resolve("felix.db"));
             Statement st = conn.createStatement()) {
            st.execute("VACUUM INTO '" + backup + "'");
        }
        long lastSeen;
        try (WsTestClient client = gw.connect()) {
            client.send(listen(USERS, GUILDS, null));
            client.sync();
            put(EntryKind.GUILD, "101", "{\"n\":2}");
            put(EntryKind.GUILD, "103", "{\"n\":1}");
            client.next();
            lastSeen = client.next().get("seq").longValue();
        }
        assertThat(lastSeen).isGreaterThan(second);
        gw = gw.restart(() -> {
            try {
                Files.copy(backup, gw.dataDir.resolve("felix.db"), StandardCopyOption.REPLACE_EXISTING);
                Files.deleteIfExists(gw.dataDir.resolve("felix.db-wal"));
                Files.deleteIfExists(gw.dataDir.resolve("felix.db-shm"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try (WsTestClient client = gw.connect()) {
            client.send(listen(USERS, GUILDS, lastSeen));
            JsonNode a = client.next();
            JsonNode b = client.next();
            assertThat(key(a)).isEqualTo("g:101");
            assertThat(a.get("seq").longValue()).isEqualTo(first);
            assertThat(entryData(a).get("n").intValue()).isEqualTo(1);
            assertThat(key(b)).isEqualTo("g:102");
            assertThat(b.get("seq").longValue()).isEqualTo(second);
            assertThat(client.sync()).isEmpty();
        }
    }

    @Test
    void malformedSinceMakesTheListenersUpdateIgnored() {
        put(EntryKind.GUILD, "101", "{\"n\":1}");
        try (WsTestClient client = gw.connect()) {
            for (String since : List.of("\"5\"", "-1", "1.5", "true", "{}")) {
                client.send("{\"code\":20002,\"data\":{\"users\":[],\"guilds\":[\"101\"],\"since\":" + since + "}}");
            }
            assertThat(client.sync()).isEmpty();
            put(EntryKind.GUILD, "101", "{\"n\":2}");
            assertThat(client.sync()).isEmpty();
        }
    }

    /**
     * Writers keep changing the listened entries while clients drop and resume from the highest seq
     * they saw. Each client's view must end equal to the database, and never go back in seq.
     */
    @Test
    void resumingWhileWritersRaceEndsEqualToTheDatabase() throws Exception {
        List<String> guilds = List.of("1", "2", "3", "4", "5");
        List<String> users = List.of("1", "2", "3");
        int writersCount = 2;
        int writesEach = 400;
        int clientsCount = 3;
        ExecutorService pool = Executors.newFixedThreadPool(writersCount + clientsCount);
        AtomicBoolean writing = new AtomicBoolean(true);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < writersCount; w++) {
                int writer = w;
                writers.add(pool.submit(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    List<CompletableFuture<Entry>> pending = new ArrayList<>();
                    for (int i = 0; i < writesEach; i++) {
                        boolean guild = random.nextInt(3) > 0;
                        List<String> ids = guild ? guilds : users;
                        pending.add(gw.gateway.store().put(guild ? EntryKind.GUILD : EntryKind.USER,
                                ids.get(random.nextInt(ids.size())), "{\"w\":" + writer + ",\"i\":" + i + "}"));
                        if (i % 4 == 0) {
                            // Spread the writes out, so that many resumes overlap with them.
                            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
                            pending.clear();
                            Thread.sleep(1);
                        }
                    }
                    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
                    return null;
                }));
            }
            List<Future<ResumingClient>> clients = new ArrayList<>();
            for (int c = 0; c < clientsCount; c++) {
                clients.add(pool.submit(() -> {
                    ResumingClient client = new ResumingClient(users, guilds);
                    while (writing.get()) {
                        client.session(ThreadLocalRandom.current().nextInt(1, 10));
                    }
                    return client;
                }));
            }
            for (Future<?> writer : writers) {
                writer.get(120, TimeUnit.SECONDS);
            }
            writing.set(false);

            Map<String, String> database = new HashMap<>();
            for (String id : guilds) {
                database.put("g:" + id, json(gw.gateway.store().get(EntryKind.GUILD, id).join()));
            }
            for (String id : users) {
                database.put("u:" + id, json(gw.gateway.store().get(EntryKind.USER, id).join()));
            }
            for (Future<ResumingClient> future : clients) {
                ResumingClient client = future.get(60, TimeUnit.SECONDS);
                assertThat(client.resumes).isGreaterThan(1);
                try (WsTestClient last = client.connect()) {
                    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                        client.drain(last);
                        assertThat(client.state).isEqualTo(database);
                    });
                }
            }
        } finally {
            writing.set(false);
            pool.shutdownNow();
        }
    }

    private static String json(Optional<Entry> entry) {
        return entry.map(Entry::json).orElse(null);
    }

    /** A dashboard that keeps what it was sent and resumes from the highest seq it has seen. */
    private final class ResumingClient {
        final List<String> users;
        final List<String> guilds;
        final Map<String, String> state = new HashMap<>();
        final Map<String, Long> entrySeq = new HashMap<>();
        long lastSeen;
        long connectionSeq;
        int resumes;

        ResumingClient(List<String> users, List<String> guilds) {
            this.users = users;
            this.guilds = guilds;
        }

        WsTestClient connect() {
            WsTestClient client = gw.connect();
            connectionSeq = 0;
            client.send(listen(users, guilds, lastSeen));
            resumes++;
            return client;
        }

        /** One connection that reads a few messages, then drops. */
        void session(int messages) throws InterruptedException {
            try (WsTestClient client = connect()) {
                for (int i = 0; i < messages; i++) {
                    String text = client.messages.poll(20, TimeUnit.MILLISECONDS);
                    if (text != null) {
                        apply(text);
                    }
                }
            }
        }

        void drain(WsTestClient client) {
            for (String text; (text = client.messages.poll()) != null; ) {
                apply(text);
            }
        }

        private void apply(String text) {
            JsonNode update;
            try {
                update = Wire.mapper().readTree(text);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            long seq = update.get("seq").longValue();
            String key = key(update);
            assertThat(seq).as("seq of %s after %s on this connection", key, connectionSeq)
                    .isGreaterThan(connectionSeq);
            assertThat(seq).as("seq of %s", key).isGreaterThan(entrySeq.getOrDefault(key, 0L));
            connectionSeq = seq;
            entrySeq.put(key, seq);
            lastSeen = Math.max(lastSeen, seq);
            JsonNode data = entryData(update);
            state.put(key, data.isNull() ? null : data.toString());
        }
    }
}
