package dev.felix.server.store.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.Shard;
import dev.felix.protocol.StatusReport;
import dev.felix.protocol.Wire;
import dev.felix.server.store.Scope;
import dev.felix.server.store.TokenRecord;
import dev.felix.server.store.Tokens;
import dev.felix.server.testing.RunningPostgres;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.TestPostgres;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.felix.server.config.Settings.DB_URL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two gateway nodes on one PostgreSQL database, as behind a load balancer. */
@RunningPostgres
class MultiNodeTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<AutoCloseable> open = new ArrayList<>();
    private String url;
    private TestGateway a;
    private TestGateway b;

    @BeforeEach
    void startNodes(TestPostgres postgres) {
        url = postgres.newDatabase();
        a = node();
        b = node();
    }

    @AfterEach
    void stopNodes() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private TestGateway node() {
        TestGateway gw = TestGateway.start(c -> c.set(DB_URL, url));
        open.add(gw);
        return gw;
    }

    private WsTestClient listen(TestGateway gw, String token, String guildId) {
        WsTestClient client = WsTestClient.connect(gw.wsUri(), token);
        open.add(client);
        client.send("{\"code\":20002,\"data\":{\"users\":[],\"guilds\":[\"" + guildId + "\"]}}");
        // A heartbeat round trip proves the listeners update was processed.
        client.send("{\"code\":20001}");
        assertThat(client.next(WAIT).path("code").asInt()).isEqualTo(10001);
        return client;
    }

    private static JsonNode nextUpdate(WsTestClient client) {
        JsonNode message = client.next(WAIT);
        assertThat(message.path("code").asInt()).isEqualTo(10002);
        return message.path("data");
    }

    @Test
    void aRestWriteOnOneNodeReachesListenersOnTheOther() {
        WsTestClient onB = listen(b, b.privateToken, "111");
        assertThat(a.http("PUT", "/api/guilds/111", a.privateToken, "{\"prefix\":\"!\"}").statusCode()).isEqualTo(200);
        JsonNode update = nextUpdate(onB);
        assertThat(update.path("guildID").asText()).isEqualTo("111");
        assertThat(update.path("guildData").path("prefix").asText()).isEqualTo("!");
    }

    @Test
    void aClientThatMovesToTheOtherNodeResumesWithoutAGap() {
        WsTestClient onA = listen(a, a.privateToken, "444");
        assertThat(a.http("PUT", "/api/guilds/444", a.privateToken, "{\"n\":1}").statusCode()).isEqualTo(200);
        long seen = onA.next(WAIT).path("seq").asLong();
        onA.close();

        assertThat(a.http("PUT", "/api/guilds/444", a.privateToken, "{\"n\":2}").statusCode()).isEqualTo(200);
        TestPostgres.execute(url, "UPDATE guilds SET data = '{\"id\": \"444\", \"n\": 3}' WHERE id = '444'");

        WsTestClient onB = WsTestClient.connect(b.wsUri(), b.privateToken);
        open.add(onB);
        onB.send("{\"code\":20002,\"data\":{\"users\":[],\"guilds\":[\"444\"],\"since\":" + seen + "}}");
        JsonNode caughtUp = onB.next(WAIT);
        assertThat(caughtUp.path("code").asInt()).isEqualTo(10002);
        assertThat(caughtUp.path("data").path("guildData").path("n").asInt()).isEqualTo(3);
        assertThat(caughtUp.path("seq").asLong()).isGreaterThan(seen);
        onB.send("{\"code\":20001}");
        assertThat(onB.next(WAIT).path("code").asInt()).as("only the latest state is sent").isEqualTo(10001);
    }

    @Test
    void aPlainSqlUpdateReachesListenersOnBothNodes() {
        WsTestClient onA = listen(a, a.privateToken, "222");
        WsTestClient onB = listen(b, a.privateToken, "222");
        TestPostgres.execute(url, "INSERT INTO guilds (id, data) VALUES ('222', '{\"id\": \"222\", \"n\": 1}')",
                "UPDATE guilds SET data = '{\"id\": \"222\", \"n\": 2}' WHERE id = '222'",
                "DELETE FROM guilds WHERE id = '222'");
        for (WsTestClient client : List.of(onA, onB)) {
            assertThat(nextUpdate(client).path("guildData").path("n").asInt()).isEqualTo(1);
            assertThat(nextUpdate(client).path("guildData").path("n").asInt()).isEqualTo(2);
            assertThat(nextUpdate(client).path("guildData").isNull()).isTrue();
        }
    }

    @Test
    void perEntryOrderHoldsWithWritersOnBothNodes() {
        WsTestClient onA = listen(a, a.privateToken, "333");
        WsTestClient onB = listen(b, b.privateToken, "333");
        List<java.util.concurrent.CompletableFuture<Integer>> writes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            TestGateway via = i % 2 == 0 ? a : b;
            int n = i;
            writes.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> via.http("PUT", "/api/guilds/333",
                    via.privateToken, "{\"n\":" + n + "}").statusCode()));
        }
        writes.forEach(w -> assertThat(w.join()).isEqualTo(200));
        String stored = a.gateway.store().get(dev.felix.protocol.EntryKind.GUILD, "333").join().orElseThrow().json();
        for (WsTestClient client : List.of(onA, onB)) {
            List<Long> seqs = new ArrayList<>();
            JsonNode last = null;
            for (int i = 0; i < 40; i++) {
                JsonNode message = client.next(WAIT);
                seqs.add(message.path("seq").asLong());
                last = message.path("data").path("guildData");
            }
            assertThat(seqs).isSorted().doesNotHaveDuplicates();
            assertThat(last.toString()).isEqualTo(stored);
        }
    }

    @Test
    void aRestartedNodeServesNewChangesAndNoOldOnes() {
        a.http("PUT", "/api/guilds/444", a.privateToken, "{\"n\":1}");
        b.close();
        TestGateway again = node();
        WsTestClient onAgain = listen(again, a.privateToken, "444");
        assertThat(a.http("PUT", "/api/guilds/444", a.privateToken, "{\"n\":2}").statusCode()).isEqualTo(200);
        assertThat(nextUpdate(onAgain).path("guildData").path("n").asInt()).isEqualTo(2);
        onAgain.send("{\"code\":20001}");
        assertThat(onAgain.next(WAIT).path("code").asInt()).isEqualTo(10001);
    }

    @Test
    void aRevocationOnOneNodeClosesTheTokensSocketsOnEveryNode() {
        String token = a.mint(Scope.PRIVATE, "revoked-owner");
        b.gateway.tokens().reload();
        WsTestClient onA = listen(a, token, "555");
        WsTestClient onB = listen(b, token, "555");
        WsTestClient bystander = listen(b, b.privateToken, "555");
        TokenRecord record = a.gateway.store().listTokens().stream()
                .filter(t -> t.hash().equals(Tokens.hash(token))).findFirst().orElseThrow();

        assertThat(a.gateway.store().revokeToken(record.id())).isTrue();

        assertThat(onA.awaitClose(WAIT).code()).isEqualTo(1008);
        assertThat(onB.awaitClose(WAIT).code()).isEqualTo(1008);
        assertThat(WsTestClient.refusedStatus(b.wsUri(), token)).isEqualTo(403);
        bystander.send("{\"code\":20001}");
        assertThat(bystander.next(WAIT).path("code").asInt()).isEqualTo(10001);
    }

    @Test
    void aStatusReportSentToOneNodeShowsInHeartbeatsOfEveryNode() throws Exception {
        StatusReport report = new StatusReport(List.of(new Shard(0, Shard.READY, 42, true, null, null, 1200)), 1200,
                null, null);
        a.gateway.store().publishStatus("bot-1", Wire.mapper().writeValueAsString(report));
        for (TestGateway node : List.of(a, b)) {
            try (WsTestClient client = WsTestClient.connect(node.wsUri(), node.privateToken)) {
                await().atMost(WAIT).untilAsserted(() -> {
                    client.send("{\"code\":20001}");
                    JsonNode ack = client.next(WAIT).path("data");
                    assertThat(ack.path("guildsCount").asLong()).isEqualTo(1200);
                    assertThat(ack.path("shards").path(0).path("ping").asLong()).isEqualTo(42);
                });
            }
        }
        a.gateway.store().publishStatus("bot-1", null);
        await().atMost(WAIT).until(() -> b.gateway.status().current().guildsCount() == 0);
    }
}
