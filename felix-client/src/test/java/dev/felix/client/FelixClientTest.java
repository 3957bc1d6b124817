package dev.felix.client;

import dev.felix.protocol.EntryKind;
import dev.felix.protocol.ServerMessage;
import dev.felix.protocol.Shard;
import dev.felix.protocol.StatusReport;
import dev.felix.server.Gateway;
import dev.felix.server.store.Scope;
import dev.felix.server.store.TokenRecord;
import dev.felix.server.store.Tokens;
import dev.felix.server.store.sqlite.SqliteStore;
import dev.felix.server.testing.RunningGateway;
import dev.felix.server.testing.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static dev.felix.server.config.Settings.MAX_LISTEN_IDS;
import static dev.felix.server.config.Settings.WS_PORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@RunningGateway
class FelixClientTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private TestGateway gw;
    private Gateway restarted;
    private FelixClient client;
    private final Recorder recorder = new Recorder();

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (restarted != null) {
            restarted.close();
        }
    }

    private FelixClient connect(String token) {
        client = FelixClient.builder()
                .url(gw.wsUri())
                .token(token)
                .userAgent("felix-client tests")
                .heartbeatInterval(Duration.ofMillis(100))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(400))
                .addListener(recorder)
                .build();
        return client;
    }

    /** Waits for a heartbeat ACK that answers a heartbeat sent after this call, so everything sent before was processed. */
    private void awaitRoundTrip() {
        int seen = recorder.statuses.size();
        await().atMost(WAIT).until(() -> recorder.statuses.size() >= seen + 2);
    }

    private void put(EntryKind kind, String id, String json) {
        String path = (kind == EntryKind.GUILD ? "/api/guilds/" : "/api/users/") + id;
        assertThat(gw.http("PUT", path, gw.privateToken, json).statusCode()).isEqualTo(200);
    }

    @Test
    void heartbeatsBringTheLatestStatus() {
        gw.gateway.status().put("bot", new StatusReport(List.of(Shard.of(0, Shard.READY, 42), Shard.of(1,
                Shard.CONNECTING, 0)), 1234, null, null));
        connect(gw.privateToken);

        await().atMost(WAIT).until(() -> client.latestStatus().isPresent());
        ServerMessage.HeartbeatAck ack = client.latestStatus().orElseThrow();
        assertThat(ack.status().shards()).containsExactly(Shard.of(0, Shard.READY, 42), Shard.of(1, Shard.CONNECTING, 0));
        assertThat(ack.status().guildsCount()).isEqualTo(1234);
        assertThat(ack.receivedAt()).isPositive();
        assertThat(client.state()).isEqualTo(ConnectionState.CONNECTED);

        gw.gateway.status().put("bot", new StatusReport(List.of(Shard.of(0, Shard.READY, 7)), 1300, null, null));
        await().atMost(WAIT).until(() -> client.latestStatus().orElseThrow().status().guildsCount() == 1300);
        assertThat(recorder.statuses).isNotEmpty();
    }

    @Test
    void listenedEntriesArriveTypedAndOthersDoNot() {
        connect(gw.privateToken);
        client.listen(List.of("300"), List.of("100", "100"));
        awaitRoundTrip();

        put(EntryKind.GUILD, "200", "{\"prefix\":\"?\"}");
        put(EntryKind.GUILD, "100", "{\"prefix\":\"!\"}");
        put(EntryKind.USER, "300", "{\"lang\":\"fr\"}");
        gw.gateway.store().write(EntryKind.GUILD, "100", null, current -> null).join();

        await().atMost(WAIT).until(() -> recorder.guilds.size() == 2 && recorder.users.size() == 1);
        ServerMessage.EntryUpdate first = recorder.guilds.get(0);
        assertThat(first.kind()).isEqualTo(EntryKind.GUILD);
        assertThat(first.id()).isEqualTo("100");
        assertThat(first.data().path("prefix").asText()).isEqualTo("!");
        assertThat(first.seq()).isPositive();
        assertThat(recorder.guilds.get(1).data().isNull()).isTrue();
        assertThat(recorder.guilds.get(1).seq()).isGreaterThan(first.seq());
        assertThat(recorder.users.get(0).id()).isEqualTo("300");
        assertThat(recorder.users.get(0).data().path("lang").asText()).isEqualTo("fr");

        client.listen(List.of(), List.of("200"));
        awaitRoundTrip();
        put(EntryKind.GUILD, "100", "{\"prefix\":\"#\"}");
        put(EntryKind.GUILD, "200", "{\"prefix\":\"$\"}");
        await().atMost(WAIT).until(() -> recorder.guilds.size() == 3);
        assertThat(recorder.guilds.get(2).id()).isEqualTo("200");
    }

    @Test
    void everyListenerCallHappensOnTheClientsEventThreadInArrivalOrder() {
        connect(gw.privateToken);
        client.listen(List.of(), List.of("100"));
        awaitRoundTrip();
        for (int i = 0; i < 20; i++) {
            put(EntryKind.GUILD, "100", "{\"n\":" + i + "}");
        }
        await().atMost(WAIT).until(() -> recorder.guilds.size() == 20);

        Set<String> threads = recorder.calls.stream().map(Recorder.Call::thread).collect(Collectors.toSet());
        assertThat(threads).hasSize(1);
        assertThat(threads.iterator().next()).startsWith("felix-client-events-");
        assertThat(recorder.guilds).extracting(u -> u.data().path("n").asInt())
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).boxed().toList());
        assertThat(recorder.states).startsWith(ConnectionState.CONNECTING, ConnectionState.CONNECTED);
    }

    @Test
    void reconnectsAfterAServerRestartAndListensAgain() {
        connect(gw.privateToken);
        client.listen(List.of(), List.of("100"));
        awaitRoundTrip();
        put(EntryKind.GUILD, "100", "{\"v\":1}");
        await().atMost(WAIT).until(() -> recorder.guilds.size() == 1);

        int port = gw.gateway.wsPort();
        gw.gateway.close();
        await().atMost(WAIT).until(() -> client.state() != ConnectionState.CONNECTED);
        assertThat(recorder.causes).anySatisfy(c -> assertThat(c).isInstanceOf(ConnectionClosedException.class));

        restarted = Gateway.start(gw.gateway.config().toBuilder().set(WS_PORT, port).build());
        await().atMost(WAIT).until(() -> client.state() == ConnectionState.CONNECTED);
        int acks = recorder.statuses.size();
        await().atMost(WAIT).until(() -> recorder.statuses.size() >= acks + 2);

        // No listen() call after the restart: the client sent its sets again by itself.
        restarted.store().put(EntryKind.GUILD, "100", "{\"v\":2}").join();
        await().atMost(WAIT).until(() -> recorder.guilds.size() == 2);
        assertThat(recorder.guilds.get(1).data().path("v").asInt()).isEqualTo(2);
        assertThat(recorder.states).containsSubsequence(ConnectionState.CONNECTED, ConnectionState.DISCONNECTED,
                ConnectionState.CONNECTING, ConnectionState.CONNECTED);
    }

    @Test
    void aRefusedTokenFailsForGoodWithAClearError() {
        connect("fxp_not-a-token");

        await().atMost(WAIT).until(() -> client.state() == ConnectionState.FAILED);
        Throwable failure = client.failure().orElseThrow();
        assertThat(failure).isInstanceOf(FelixHandshakeException.class).hasMessageContaining("403");
        assertThat(((FelixHandshakeException) failure).statusCode()).isEqualTo(403);
        await().atMost(WAIT).until(() -> recorder.states.contains(ConnectionState.FAILED));
        assertThat(recorder.states).containsExactly(ConnectionState.CONNECTING, ConnectionState.FAILED);
        assertThat(recorder.causes).containsExactly(failure);
    }

    @Test
    void aPublicTokenIsRefused() {
        connect(gw.publicToken);
        await().atMost(WAIT).until(() -> client.state() == ConnectionState.FAILED);
        assertThat(client.failure()).containsInstanceOf(FelixHandshakeException.class);
    }

    @Test
    void aRevokedTokenEndsInFailedAfterTheServerClosesTheSocket() {
        String token = gw.mint(Scope.PRIVATE, "revoked-owner");
        connect(token);
        await().atMost(WAIT).until(() -> client.state() == ConnectionState.CONNECTED);

        TokenRecord record = gw.gateway.store().listTokens().stream()
                .filter(t -> t.hash().equals(Tokens.hash(token))).findFirst().orElseThrow();
        assertThat(gw.gateway.store().revokeToken(record.id())).isTrue();

        await().atMost(WAIT).until(() -> client.state() == ConnectionState.FAILED);
        assertThat(recorder.causes).anySatisfy(c -> assertThat(c).isInstanceOfSatisfying(ConnectionClosedException.class,
                closed -> assertThat(closed.code()).isEqualTo(1008)));
        assertThat(client.failure()).containsInstanceOf(FelixHandshakeException.class);
    }

    @Test
    void aTokenSupplierIsAskedOnEveryReconnectSoSessionTokensCanExpire() {
        AtomicInteger asked = new AtomicInteger();
        client = FelixClient.builder()
                .url(gw.wsUri())
                .tokenSupplier(() -> {
                    asked.incrementAndGet();
                    // As a dashboard's backend does: a fresh session token, here one that lives a second.
                    var minted = gw.http("POST", "/api/sessions", gw.privateToken,
                            "{\"guilds\":[\"11\"],\"ttlSeconds\":1}");
                    assertThat(minted.statusCode()).isEqualTo(201);
                    return minted.body().replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
                })
                .heartbeatInterval(Duration.ofMillis(100))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(400))
                .addListener(recorder)
                .build();
        client.listen(List.of(), List.of("11", "12"));

        await().atMost(WAIT).until(() -> asked.get() >= 3);
        assertThat(recorder.causes).anySatisfy(c -> assertThat(c).isInstanceOfSatisfying(ConnectionClosedException.class,
                closed -> assertThat(closed.reason()).isEqualTo("token expired")));
        assertThat(client.state()).isNotEqualTo(ConnectionState.FAILED);
        await().atMost(WAIT).until(() -> client.state() == ConnectionState.CONNECTED);
        put(EntryKind.GUILD, "12", "{}");
        put(EntryKind.GUILD, "11", "{}");
        await().atMost(WAIT).until(() -> !recorder.guilds.isEmpty());
        assertThat(recorder.guilds).extracting(ServerMessage.EntryUpdate::id).containsOnly("11");
    }

    @Test
    void aSupplierThatFailsIsAskedAgain() {
        AtomicInteger asked = new AtomicInteger();
        client = FelixClient.builder()
                .url(gw.wsUri())
                .tokenSupplier(() -> {
                    if (asked.incrementAndGet() == 1) {
                        throw new IllegalStateException("backend unreachable");
                    }
                    return asked.get() == 2 ? "fxs_unknown" : gw.privateToken;
                })
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(400))
                .addListener(recorder)
                .build();
        await().atMost(WAIT).until(() -> client.state() == ConnectionState.CONNECTED);
        assertThat(asked.get()).isEqualTo(3);
        assertThat(recorder.causes).hasSize(2);
        assertThat(recorder.causes.get(0)).hasMessage("backend unreachable");
        assertThat(recorder.causes.get(1)).isInstanceOf(FelixHandshakeException.class);
    }

    @Test
    void closeEndsInClosedAndStopsReconnecting() {
        connect(gw.privateToken);
        await().atMost(WAIT).until(() -> client.state() == ConnectionState.CONNECTED);
        client.close();
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        await().atMost(WAIT).until(() -> recorder.states.contains(ConnectionState.CLOSED));
        assertThat(recorder.states.get(recorder.states.size() - 1)).isEqualTo(ConnectionState.CLOSED);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals(
                recorder.calls.get(0).thread()) && t.isAlive());
    }

    @Test
    void aServerThatClosesEveryConnectionAtOnceIsRetriedEverMoreSlowly() throws InterruptedException {
        try (TestGateway limited = TestGateway.start(b -> b.set(MAX_LISTEN_IDS, 1))) {
            client = FelixClient.builder().url(limited.wsUri()).token(limited.privateToken)
                    .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(30)).addListener(recorder).build();
            client.listen(List.of(), List.of("1", "2"));
            Thread.sleep(4000);
            // Waits of at least 50, 100, 200, 400, 800, 1600 ms: no more than 7 attempts fit in 4 s.
            long attempts = recorder.states.stream().filter(s -> s == ConnectionState.CONNECTING).count();
            assertThat(attempts).isBetween(2L, 7L);
            assertThat(recorder.causes).anySatisfy(c -> assertThat(c)
                    .isInstanceOfSatisfying(ConnectionClosedException.class, e -> assertThat(e.code()).isEqualTo(1008)));
        }
    }

    @Test
    void heartbeatsFartherApartThanTheSilenceTimeoutKeepTheConnection() throws InterruptedException {
        client = FelixClient.builder().url(gw.wsUri()).token(gw.privateToken)
                .heartbeatInterval(Duration.ofMillis(1500)).silenceTimeout(Duration.ofMillis(1200))
                .addListener(recorder).build();
        await().atMost(WAIT).until(() -> client.state() == ConnectionState.CONNECTED);
        Thread.sleep(5000);
        assertThat(recorder.states).containsExactly(ConnectionState.CONNECTING, ConnectionState.CONNECTED);
        assertThat(recorder.statuses).hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void closeCancelsAWaitingReconnectAndReturnsAtOnce() throws IOException {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        client = FelixClient.builder().url(URI.create("ws://127.0.0.1:" + deadPort + "/")).token(gw.privateToken)
                .reconnectBackoff(Duration.ofSeconds(20), Duration.ofSeconds(30)).addListener(recorder).build();
        await().atMost(WAIT).until(() -> recorder.states.contains(ConnectionState.DISCONNECTED));
        long start = System.nanoTime();
        client.close();
        // It used to wait 5 s for the reconnect that was scheduled.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(4500));
        String events = recorder.calls.get(0).thread();
        String timer = events.replace("events", "timer");
        await().atMost(Duration.ofSeconds(3)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> (t.getName().equals(events) || t.getName().equals(timer)) && t.isAlive()));
    }

    @Test
    void closeDropsUpdatesASlowListenerHasNotTakenYet() throws InterruptedException {
        AtomicInteger handled = new AtomicInteger();
        client = FelixClient.builder().url(gw.wsUri()).token(gw.privateToken).addListener(recorder)
                .addListener(new FelixListener() {
                    @Override
                    public void onGuildUpdate(ServerMessage.EntryUpdate update) {
                        handled.incrementAndGet();
                        sleep(300);
                    }
                }).build();
        client.listen(List.of(), List.of("100"));
        awaitRoundTrip();
        for (int i = 0; i < 20; i++) {
            put(EntryKind.GUILD, "100", "{\"n\":" + i + "}");
        }
        await().atMost(WAIT).until(() -> handled.get() >= 1);
        long start = System.nanoTime();
        client.close();
        // It used to wait 5 s for the backlog, then return while it was still being delivered.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(4500));
        int atClose = handled.get();
        Thread.sleep(1000);
        assertThat(handled.get()).isEqualTo(atClose).isLessThan(20);
        assertThat(recorder.states.get(recorder.states.size() - 1)).isEqualTo(ConnectionState.CLOSED);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void noUpdateIsMissedAcrossAServerRestart() {
        connect(gw.privateToken);
        client.listen(List.of(), List.of("100"));
        awaitRoundTrip();
        put(EntryKind.GUILD, "100", "{\"v\":1}");
        await().atMost(WAIT).until(() -> recorder.guilds.size() == 1);

        int port = gw.gateway.wsPort();
        gw.gateway.close();
        await().atMost(WAIT).until(() -> client.state() != ConnectionState.CONNECTED);
        // Written while no gateway runs: only a resume can bring it to the client.
        try (SqliteStore store = SqliteStore.open(gw.dataDir)) {
            store.put(EntryKind.GUILD, "100", "{\"id\":\"100\",\"v\":2}").join();
        }
        restarted = Gateway.start(gw.gateway.config().toBuilder().set(WS_PORT, port).build());

        await().atMost(WAIT).until(() -> recorder.guilds.size() == 2);
        assertThat(recorder.guilds.get(1).data().path("v").asInt()).isEqualTo(2);
        assertThat(recorder.guilds.get(1).seq()).isGreaterThan(recorder.guilds.get(0).seq());
    }
}
