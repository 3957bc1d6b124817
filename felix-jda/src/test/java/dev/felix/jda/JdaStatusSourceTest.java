package dev.felix.jda;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.api.FelixGateway;
import dev.felix.protocol.Shard;
import dev.felix.protocol.StatusReport;
import dev.felix.server.store.Scope;
import dev.felix.server.store.Tokens;
import dev.felix.server.store.sqlite.SqliteStore;
import dev.felix.server.testing.WsTestClient;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.events.StatusChangeEvent;
import net.dv8tion.jda.api.events.guild.GuildJoinEvent;
import net.dv8tion.jda.api.hooks.EventListener;
import net.dv8tion.jda.api.sharding.DefaultShardManagerBuilder;
import net.dv8tion.jda.api.sharding.ShardManager;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class JdaStatusSourceTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<StatusReport> reports = new CopyOnWriteArrayList<>();
    private final List<String> reportThreads = new CopyOnWriteArrayList<>();
    private final List<JdaStatusSource> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(JdaStatusSource::close);
    }

    private JdaStatusSource start(JdaStatusSource source) {
        source.start(report -> {
            reports.add(report);
            reportThreads.add(Thread.currentThread().getName());
        });
        started.add(source);
        return source;
    }

    private StatusReport last() {
        return reports.get(reports.size() - 1);
    }

    @Test
    void everyJdaStatusHasItsErisWord() {
        Map<JDA.Status, String> expected = new EnumMap<>(JDA.Status.class);
        expected.put(JDA.Status.INITIALIZING, "connecting");
        expected.put(JDA.Status.INITIALIZED, "connecting");
        expected.put(JDA.Status.LOGGING_IN, "connecting");
        expected.put(JDA.Status.CONNECTING_TO_WEBSOCKET, "connecting");
        expected.put(JDA.Status.IDENTIFYING_SESSION, "handshaking");
        expected.put(JDA.Status.AWAITING_LOGIN_CONFIRMATION, "handshaking");
        expected.put(JDA.Status.LOADING_SUBSYSTEMS, "handshaking");
        expected.put(JDA.Status.CONNECTED, "ready");
        expected.put(JDA.Status.DISCONNECTED, "disconnected");
        expected.put(JDA.Status.RECONNECT_QUEUED, "disconnected");
        expected.put(JDA.Status.WAITING_TO_RECONNECT, "disconnected");
        expected.put(JDA.Status.ATTEMPTING_TO_RECONNECT, "resuming");
        expected.put(JDA.Status.SHUTTING_DOWN, "disconnected");
        expected.put(JDA.Status.SHUTDOWN, "disconnected");
        expected.put(JDA.Status.FAILED_TO_LOGIN, "disconnected");
        assertThat(expected.keySet()).containsExactlyInAnyOrder(JDA.Status.values());

        FakeJda shard = new FakeJda(0, 1);
        JdaStatusSource source = JdaStatusSource.of(shard.jda);
        for (JDA.Status status : JDA.Status.values()) {
            assertThat(JdaStatusSource.erisStatus(status)).as(status.name()).isEqualTo(expected.get(status));
            shard.status = status;
            Shard reported = source.snapshot().shards().get(0);
            assertThat(reported.status()).as(status.name()).isEqualTo(expected.get(status));
            assertThat(reported.ready()).as(status.name()).isEqualTo(status == JDA.Status.CONNECTED);
        }
    }

    @Test
    void oneShardPerShardOfTheManagerWithPingAndGuildCounts() {
        List<FakeJda> shards = FakeJda.shards(3);
        shards.get(0).guilds = 10;
        shards.get(1).guilds = 20;
        shards.get(1).ping = 85;
        shards.get(2).guilds = 0;
        shards.get(2).ping = -1;
        shards.get(2).status = JDA.Status.WAITING_TO_RECONNECT;
        // The manager lists its shards out of order; the report is ordered by id.
        List<FakeJda> listed = List.of(shards.get(2), shards.get(0), shards.get(1));
        ShardManager manager = FakeJda.manager(listed, new CopyOnWriteArrayList<>());

        StatusReport report = JdaStatusSource.of(manager).snapshot();

        assertThat(report.shards()).containsExactly(
                new Shard(0, "ready", 42, true, null, null, 10),
                new Shard(1, "ready", 85, true, null, null, 20),
                new Shard(2, "disconnected", 0, false, null, null, 0));
        assertThat(report.guildsCount()).isEqualTo(30);
        assertThat(report.memoryUsage()).isNull();
        assertThat(report.uptime()).isNull();
    }

    @Test
    void aSingleJdaIsTheShardItsShardInfoNames() {
        FakeJda jda = new FakeJda(4, 8);
        jda.guilds = 1234;
        StatusReport report = JdaStatusSource.of(jda.jda).snapshot();
        assertThat(report.shards()).extracting(Shard::id, Shard::guildCount).containsExactly(
                Tuple.tuple(4, 1234));
        assertThat(report.guildsCount()).isEqualTo(1234);
    }

    @Test
    void aRealShardManagerBeforeLoginHasNoShardsYet() {
        // The one JDA object that runs here: a shard manager that has not logged in (login needs Discord).
        ShardManager manager = DefaultShardManagerBuilder.createLight("not-a-real-token").setShardsTotal(2).build(false);
        try {
            start(JdaStatusSource.of(manager));
            await().atMost(WAIT).until(() -> reports.size() >= 2);
            assertThat(reports).allSatisfy(report -> {
                assertThat(report.shards()).isEmpty();
                assertThat(report.guildsCount()).isZero();
            });
        } finally {
            manager.shutdown();
        }
    }

    @Test
    void jdaEventsPushAReportOnTheEventThreadAndCloseUnregisters() {
        List<FakeJda> shards = FakeJda.shards(2);
        List<Object> listeners = new CopyOnWriteArrayList<>();
        JdaStatusSource source = start(JdaStatusSource.of(FakeJda.manager(shards, listeners)));
        assertThat(listeners).hasSize(1);
        EventListener jdaListener = (EventListener) listeners.get(0);
        await().atMost(WAIT).until(() -> !reports.isEmpty());

        shards.get(1).status = JDA.Status.ATTEMPTING_TO_RECONNECT;
        int before = reports.size();
        jdaListener.onEvent(new StatusChangeEvent(shards.get(1).jda, JDA.Status.ATTEMPTING_TO_RECONNECT,
                JDA.Status.CONNECTED));
        assertThat(reports.size()).isGreaterThan(before);
        assertThat(reportThreads.get(reportThreads.size() - 1)).isEqualTo(Thread.currentThread().getName());
        assertThat(last().shards().get(1).status()).isEqualTo("resuming");

        shards.get(0).guilds = 5;
        jdaListener.onEvent(new GuildJoinEvent(shards.get(0).jda, 1, null));
        assertThat(last().guildsCount()).isEqualTo(5);
        assertThat(last().shards().get(0).guildCount()).isEqualTo(5);

        source.close();
        assertThat(listeners).isEmpty();
    }

    @Test
    void pingIsReportedEverySecondWithoutAnEvent() {
        FakeJda jda = new FakeJda(0, 1);
        start(JdaStatusSource.of(jda.jda));
        await().atMost(WAIT).until(() -> !reports.isEmpty());
        jda.ping = 123;
        await().atMost(WAIT).until(() -> last().shards().get(0).ping() == 123);
        assertThat(reportThreads).contains("felix-jda-status");
    }

    @Test
    void anEmbeddedGatewayShowsTheShardsInHeartbeatAcks(@TempDir Path dir) {
        List<FakeJda> shards = FakeJda.shards(2);
        shards.get(0).guilds = 3;
        shards.get(1).guilds = 4;
        shards.get(1).status = JDA.Status.LOADING_SUBSYSTEMS;
        String token = Tokens.generate(Scope.PRIVATE);
        try (FelixGateway gateway = FelixGateway.builder().dataDir(dir).host("127.0.0.1").wsPort(0).httpPort(0)
                .statusSource("jda", JdaStatusSource.of(FakeJda.manager(shards, new CopyOnWriteArrayList<>())))
                .start()) {
            try (SqliteStore store = SqliteStore.open(dir)) {
                store.createToken(Tokens.hash(token), "owner", Scope.PRIVATE, null);
            }
            URI uri = URI.create("ws://127.0.0.1:" + gateway.wsPort() + "/");
            await().atMost(WAIT).until(() -> WsTestClient.refusedStatus(uri, token) == 101);
            try (WsTestClient ws = WsTestClient.connect(uri, token)) {
                ws.send("{\"code\":20001}");
                JsonNode data = ws.next().path("data");
                assertThat(data.path("guildsCount").asLong()).isEqualTo(7);
                assertThat(data.path("shards")).hasSize(2);
                assertThat(data.path("shards").get(0).path("status").asText()).isEqualTo("ready");
                assertThat(data.path("shards").get(0).path("ping").asLong()).isEqualTo(42);
                assertThat(data.path("shards").get(1).path("status").asText()).isEqualTo("handshaking");
                assertThat(data.path("shards").get(1).path("guildCount").asInt()).isEqualTo(4);
            }
        }
    }
}
