package dev.felix.server.hub;

import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The listener index is split per event loop, not per session, so a change hops once per loop. */
class HubShardingTest {

    @Test
    void manySessionsShareOneShardPerEventLoop() {
        int loops = 2 * Runtime.getRuntime().availableProcessors();
        int sessions = loops * 3;
        try (TestGateway gw = TestGateway.start()) {
            List<WsTestClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < sessions; i++) {
                    WsTestClient c = gw.connect();
                    clients.add(c);
                    c.send("{\"code\":20002,\"data\":{\"users\":[],\"guilds\":[\"" + (100 + i) + "\"]}}");
                    // The ACK of a heartbeat sent after the update proves the update was applied.
                    c.send("{\"code\":20001}");
                    c.next(Duration.ofSeconds(10));
                }
                assertThat(gw.gateway.hub().shardCount()).isBetween(1, loops);

                gw.http("PUT", "/api/guilds/" + (100 + sessions - 1), gw.privateToken, "{\"prefix\":\"?\"}");
                assertThat(clients.get(sessions - 1).next(Duration.ofSeconds(10)).path("data").path("guildID").asText())
                        .isEqualTo(Integer.toString(100 + sessions - 1));
            } finally {
                clients.forEach(WsTestClient::close);
            }
        }
    }
}
