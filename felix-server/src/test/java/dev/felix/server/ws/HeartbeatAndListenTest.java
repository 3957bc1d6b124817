package dev.felix.server.ws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class HeartbeatAndListenTest {
    private TestGateway gw;

    @BeforeEach
    void start() {
        gw = TestGateway.start();
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    @Test
    void heartbeatIsAnsweredWithStatusWithoutABot() {
        try (WsTestClient client = gw.connect()) {
            long before = System.currentTimeMillis();
            client.send("{\"code\":20001}");
            JsonNode ack = client.next();
            assertThat(ack.path("code").asInt()).isEqualTo(10001);
            assertThat(ack.path("name").asText()).isEqualTo("Heartbeat ACK");
            JsonNode data = ack.path("data");
            assertThat(data.path("receivedAt").asLong()).isBetween(before, System.currentTimeMillis());
            assertThat(data.path("shards").isArray()).isTrue();
            assertThat(data.path("shards")).isEmpty();
            assertThat(data.path("guildsCount").asLong()).isZero();
            assertThat(data.path("memoryUsage").isNumber()).isTrue();
            assertThat(data.path("uptime").asLong()).isPositive();
        }
    }

    @Test
    void listenerGetsCommittedWritesOfItsGuildOnly() {
        try (WsTestClient listener = gw.connect(); WsTestClient other = gw.connect()) {
            listener.send("{\"code\":20002,\"data\":{\"users\":[],\"guilds\":[\"111\"]}}");
            other.send("{\"code\":20002,\"data\":{\"users\":[],\"guilds\":[\"222\"]}}");
            // A heartbeat round trip proves the listeners update was processed before the write.
            listener.send("{\"code\":20001}");
            other.send("{\"code\":20001}");
            listener.next();
            other.next();

            assertThat(gw.http("PUT", "/api/guilds/111", gw.privateToken, "{\"prefix\":\"!\"}").statusCode())
                    .isEqualTo(200);
            JsonNode update = listener.next();
            assertThat(update.path("code").asInt()).isEqualTo(10002);
            assertThat(update.path("name").asText()).isEqualTo("GDB Update");
            assertThat(update.path("data").path("guildID").asText()).isEqualTo("111");
            assertThat(update.path("data").path("guildData").path("prefix").asText()).isEqualTo("!");
            assertThat(other.messages.poll()).isNull();
            other.send("{\"code\":20001}");
            assertThat(other.next(Duration.ofSeconds(5)).path("code").asInt()).isEqualTo(10001);
        }
    }
}
