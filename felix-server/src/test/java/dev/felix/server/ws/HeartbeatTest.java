package dev.felix.server.ws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.Shard;
import dev.felix.protocol.StatusReport;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.felix.server.config.Settings.MESSAGE_BURST;
import static org.assertj.core.api.Assertions.assertThat;

class HeartbeatTest {
    private TestGateway gw;

    @BeforeEach
    void start() {
        // The order test sends its heartbeats in one burst, above the default inbound rate limit.
        gw = TestGateway.start(b -> b.set(MESSAGE_BURST, 1000));
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    @Test
    void ackCarriesStatusFieldsOfTheRightTypesWithoutABot() {
        try (WsTestClient client = gw.connect()) {
            long before = System.currentTimeMillis();
            client.send("{\"code\":20001}");
            JsonNode data = Messages.assertEnvelope(client.next(), 10001, "Heartbeat ACK");
            long after = System.currentTimeMillis();

            assertThat(fieldNames(data)).containsExactlyInAnyOrder("receivedAt", "shards", "guildsCount",
                    "memoryUsage", "uptime");
            assertThat(data.get("receivedAt").isIntegralNumber()).isTrue();
            assertThat(data.get("receivedAt").longValue()).isBetween(before, after);
            assertThat(data.get("shards").isArray()).isTrue();
            assertThat(data.get("shards")).isEmpty();
            assertThat(data.get("guildsCount").isIntegralNumber()).isTrue();
            assertThat(data.get("guildsCount").longValue()).isZero();
            assertThat(data.get("memoryUsage").isNumber()).isTrue();
            // MiB of heap in use: a JVM running a gateway uses more than 1 MiB and far less than 1 TiB.
            assertThat(data.get("memoryUsage").doubleValue()).isBetween(1.0, 1024.0 * 1024.0);
            assertThat(data.get("uptime").isIntegralNumber()).isTrue();
            long uptime = data.get("uptime").longValue();
            assertThat(uptime).isPositive();

            client.send("{\"code\":20001}");
            assertThat(client.next().get("data").get("uptime").longValue()).isGreaterThanOrEqualTo(uptime);
        }
    }

    @Test
    void ackShowsErisLikeShardsOfAReportedBot() {
        gw.gateway.status().put("bot", new StatusReport(List.of(
                new Shard(1, Shard.CONNECTING, 0, false, null, null, null),
                new Shard(0, Shard.READY, 42, true, 1_700_000_000_000L, 1_700_000_000_050L, 120)),
                150, null, null));
        try (WsTestClient client = gw.connect()) {
            client.send("{\"code\":20001}");
            JsonNode data = Messages.assertEnvelope(client.next(), 10001, "Heartbeat ACK");
            assertThat(data.get("guildsCount").longValue()).isEqualTo(150);
            JsonNode shards = data.get("shards");
            assertThat(shards).hasSize(2);
            JsonNode first = shards.get(0);
            assertThat(first.get("id").intValue()).isZero();
            assertThat(first.get("status").textValue()).isEqualTo("ready");
            assertThat(first.get("ping").longValue()).isEqualTo(42);
            assertThat(first.get("ready").booleanValue()).isTrue();
            assertThat(first.get("lastHeartbeatSent").longValue()).isEqualTo(1_700_000_000_000L);
            assertThat(first.get("lastHeartbeatReceived").longValue()).isEqualTo(1_700_000_000_050L);
            assertThat(first.get("guildCount").intValue()).isEqualTo(120);
            assertThat(first.has("latency")).isFalse();
            JsonNode second = shards.get(1);
            assertThat(fieldNames(second)).containsExactlyInAnyOrder("id", "status", "ping", "ready");
        }
    }

    @Test
    void repliesKeepTheOrderOfTheHeartbeats() {
        int count = 300;
        try (WsTestClient client = gw.connect()) {
            for (int i = 0; i < count; i++) {
                client.send("{\"code\":20001}");
            }
            long previous = 0;
            for (int i = 0; i < count; i++) {
                JsonNode data = Messages.assertEnvelope(client.next(), 10001, "Heartbeat ACK");
                long receivedAt = data.get("receivedAt").longValue();
                assertThat(receivedAt).isGreaterThanOrEqualTo(previous);
                previous = receivedAt;
            }
            assertThat(client.messages).isEmpty();
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
