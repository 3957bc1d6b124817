package dev.felix.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.api.EntryNotFoundException;
import dev.felix.api.FelixGateway;
import dev.felix.api.StatusSink;
import dev.felix.api.StatusSource;
import dev.felix.protocol.Shard;
import dev.felix.protocol.StatusReport;
import dev.felix.server.config.GatewayConfig;
import dev.felix.server.config.Settings;
import dev.felix.server.store.Scope;
import dev.felix.server.store.Tokens;
import dev.felix.server.store.sqlite.SqliteStore;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class FelixGatewayTest {
    @TempDir
    Path dir;

    private final AtomicReference<StatusSink> sink = new AtomicReference<>();
    private final AtomicBoolean sourceClosed = new AtomicBoolean();
    private FelixGateway gateway;
    private String token;

    /** A status source the test drives by hand. */
    private final StatusSource source = new StatusSource() {
        @Override
        public void start(StatusSink s) {
            sink.set(s);
        }

        @Override
        public void close() {
            sourceClosed.set(true);
        }
    };

    @BeforeEach
    void start() {
        gateway = FelixGateway.builder()
                .dataDir(dir)
                .host("127.0.0.1")
                .wsPort(0)
                .httpPort(0)
                .statusSource("bot", source)
                .start();
        // As `felix token create --data DIR` does beside a running bot: another handle on the same store.
        try (SqliteStore store = SqliteStore.open(dir)) {
            token = Tokens.mint(store, Scope.PRIVATE, "owner", null).token();
        }
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private WsTestClient connect() {
        URI uri = URI.create("ws://127.0.0.1:" + gateway.wsPort() + "/");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> WsTestClient.refusedStatus(uri, token) == 101);
        return WsTestClient.connect(uri, token);
    }

    @Test
    void optionsAreTheFilesKeysCheckedAsTheFileIs() {
        assertThatThrownBy(() -> FelixGateway.builder().dataDir(dir).option("ws_port", "1").start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown option 'ws_port'; known options: ").hasMessageContaining("ws-port");
        assertThatThrownBy(() -> FelixGateway.builder().dataDir(dir).option("ws-port", "abc").start())
                .hasMessage("ws-port: 'abc' is not an int");
        assertThatThrownBy(() -> FelixGateway.builder().dataDir(dir).option("message-burst", "0").start())
                .hasMessage("message-burst must be at least 1, was 0");
        assertThatThrownBy(() -> FelixGateway.builder().dataDir(dir).jdbcUrl("jdbc:mysql://felix:pa/ss@db/felix").start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("db-url must be a jdbc:postgresql: URL, or unset for the embedded SQLite store, was "
                        + "'jdbc:mysql://felix:****@db/felix'");
        GatewayConfig config = EmbeddedGatewayProvider.config(Map.of("max-listen-ids", "3", "ping-interval-ms", "1500"));
        assertThat(config.get(Settings.MAX_LISTEN_IDS)).isEqualTo(3);
        assertThat(config.get(Settings.PING_INTERVAL)).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void entryWritesFromBotCodeReachListeners() {
        try (WsTestClient ws = connect()) {
            ws.send("{\"code\":20002,\"data\":{\"users\":[\"22\"],\"guilds\":[\"11\"]}}");
            ws.send("{\"code\":20001}");
            ws.next();

            long seq = gateway.guilds().put("11", "{\"prefix\":\"!\"}").join();
            JsonNode update = ws.next();
            assertThat(update.path("code").asInt()).isEqualTo(10002);
            assertThat(update.path("data").path("guildID").asText()).isEqualTo("11");
            assertThat(update.path("data").path("guildData").path("prefix").asText()).isEqualTo("!");
            assertThat(update.path("data").path("guildData").path("id").asText()).isEqualTo("11");
            assertThat(update.path("seq").asLong()).isEqualTo(seq);

            gateway.users().put("22", "{\"lang\":\"de\"}").join();
            assertThat(ws.next().path("data").path("userData").path("lang").asText()).isEqualTo("de");
            assertThat(gateway.users().get("22").join()).hasValueSatisfying(json -> assertThat(json).contains("\"de\""));

            gateway.guilds().delete("11").join();
            JsonNode deleted = ws.next();
            assertThat(deleted.path("data").path("guildData").isNull()).isTrue();
            assertThat(gateway.guilds().get("11").join()).isEmpty();
        }
    }

    @Test
    void badWritesAreRefusedWithTheRestRules() {
        assertThatThrownBy(() -> gateway.guilds().put("not-a-snowflake", "{}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("snowflake");
        assertThatThrownBy(() -> gateway.guilds().put("11", "[1]"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> gateway.guilds().put("11", "{\"id\":\"12\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> gateway.guilds().delete("99").join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(EntryNotFoundException.class);
    }

    @Test
    void writesFromBotCodeAreTimedLikeRestWrites() throws Exception {
        gateway.guilds().put("11", "{}").join();
        gateway.users().put("22", "{}").join();
        gateway.users().delete("22").join();
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + gateway.httpPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).containsPattern("(?m)^felix_store_writes_seconds_count\\{kind=\"guild\"} 1$")
                .containsPattern("(?m)^felix_store_writes_seconds_count\\{kind=\"user\"} 2$");
    }

    @Test
    void statusSourceReportsShowInHeartbeatAcks() throws Exception {
        assertThat(sink.get()).isNotNull();
        sink.get().report(new StatusReport(List.of(Shard.of(0, Shard.READY, 40)), 77, null, null));
        try (WsTestClient ws = connect()) {
            ws.send("{\"code\":20001}");
            JsonNode data = ws.next().path("data");
            assertThat(data.path("guildsCount").asLong()).isEqualTo(77);
            assertThat(data.path("shards").get(0).path("status").asText()).isEqualTo("ready");
            assertThat(data.path("shards").get(0).path("ping").asLong()).isEqualTo(40);
        }
        gateway.close();
        assertThat(sourceClosed).isTrue();
        assertThat(Files.exists(dir.resolve("felix.db"))).isTrue();
    }

    @Test
    void everySourceIsClosedEvenWhenOneThrows() {
        gateway.close();
        AtomicBoolean secondClosed = new AtomicBoolean();
        StatusSource failing = new StatusSource() {
            @Override
            public void start(StatusSink s) {
            }

            @Override
            public void close() {
                throw new IllegalStateException("source failed to close");
            }
        };
        StatusSource second = new StatusSource() {
            @Override
            public void start(StatusSink s) {
            }

            @Override
            public void close() {
                secondClosed.set(true);
            }
        };
        gateway = FelixGateway.builder().dataDir(dir).host("127.0.0.1").wsPort(0).httpPort(0)
                .statusSource("failing", failing).statusSource("second", second).start();
        int port = gateway.httpPort();
        assertThatThrownBy(gateway::close).hasMessage("source failed to close");
        assertThat(secondClosed).isTrue();
        assertThatCode(gateway::close).as("a second close does nothing").doesNotThrowAnyException();
        assertThatCode(() -> new ServerSocket(port, 1, InetAddress.getLoopbackAddress()).close())
                .doesNotThrowAnyException();
    }
}
