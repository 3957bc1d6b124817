package dev.felix.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.felix.server.config.Settings.STATUS_TTL;
import static dev.felix.server.rest.EntryRoutesTest.assertError;
import static dev.felix.server.rest.EntryRoutesTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class StatusRoutesTest {
    private static final String CLUSTER_A = """
            {"shards":[{"id":2,"status":"ready","ping":40,"ready":true,"guildCount":700},
                       {"id":0,"status":"ready","ping":35,"latency":35}],
             "guildsCount":1500,"memoryUsage":100.5,"uptime":5000}""";
    private static final String CLUSTER_B = """
            {"shards":[{"id":1,"status":"resuming","ping":0}],"guildsCount":600,"uptime":9000000}""";

    private static JsonNode status(TestGateway gw) {
        HttpResponse<String> response = gw.http("GET", "/api/status", gw.privateToken, null);
        assertThat(response.statusCode()).isEqualTo(200);
        return json(response);
    }

    private static JsonNode ack(WsTestClient client) {
        client.send("{\"code\":20001}");
        JsonNode ack = client.next();
        assertThat(ack.path("code").asInt()).isEqualTo(10001);
        return ack.path("data");
    }

    private static List<String> shards(JsonNode data) {
        List<String> out = new ArrayList<>();
        data.path("shards").forEach(s -> out.add(s.path("id").asInt() + ":" + s.path("status").asText()));
        return out;
    }

    private static void put(TestGateway gw, String reporter, String body) {
        HttpResponse<String> response = gw.http("PUT", "/api/status/" + reporter, gw.privateToken, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
    }

    @Test
    void aReportShowsInTheStatusAndInTheNextHeartbeatAck() {
        try (TestGateway gw = TestGateway.start(); WsTestClient client = gw.connect()) {
            assertThat(ack(client).path("shards")).isEmpty();
            put(gw, "cluster-a", CLUSTER_A);

            for (JsonNode data : List.of(status(gw), ack(client))) {
                assertThat(data.path("receivedAt").asLong()).isPositive();
                assertThat(shards(data)).containsExactly("0:ready", "2:ready");
                assertThat(data.path("shards").get(1).toString())
                        .isEqualTo("{\"id\":2,\"status\":\"ready\",\"ping\":40,\"ready\":true,\"guildCount\":700}");
                assertThat(data.path("shards").get(0).has("latency")).isFalse();
                assertThat(data.path("guildsCount").asLong()).isEqualTo(1500);
                assertThat(data.path("memoryUsage").asDouble()).isEqualTo(100.5);
                assertThat(data.path("uptime").asLong()).isBetween(5000L, 5000L + 600_000);
            }
        }
    }

    @Test
    void reportsOfSeveralReportersMergeByTheDocumentedRule() {
        try (TestGateway gw = TestGateway.start(); WsTestClient client = gw.connect()) {
            put(gw, "cluster-a", CLUSTER_A);
            put(gw, "cluster-b", CLUSTER_B);
            put(gw, "cluster-c", "{\"shards\":[{\"id\":3,\"status\":\"ready\"}],\"guildsCount\":1,\"memoryUsage\":20}");

            for (JsonNode data : List.of(status(gw), ack(client))) {
                assertThat(shards(data)).as("all shards, by id").containsExactly("0:ready", "1:resuming", "2:ready", "3:ready");
                assertThat(data.path("shards").get(3).path("ping").asLong()).isZero();
                assertThat(data.path("guildsCount").asLong()).as("summed").isEqualTo(2101);
                assertThat(data.path("memoryUsage").asDouble()).as("summed where reported").isEqualTo(120.5);
                assertThat(data.path("uptime").asLong()).as("longest-running reporter")
                        .isBetween(9_000_000L, 9_000_000L + 600_000);
            }

            put(gw, "cluster-b", "{\"shards\":[{\"id\":1,\"status\":\"ready\"}],\"guildsCount\":650}");
            JsonNode replaced = status(gw);
            assertThat(shards(replaced)).containsExactly("0:ready", "1:ready", "2:ready", "3:ready");
            assertThat(replaced.path("guildsCount").asLong()).isEqualTo(2151);
            assertThat(replaced.path("uptime").asLong()).isBetween(5000L, 5000L + 600_000);

            assertThat(gw.http("DELETE", "/api/status/cluster-a", gw.privateToken, null).statusCode()).isEqualTo(204);
            JsonNode data = ack(client);
            assertThat(shards(data)).containsExactly("1:ready", "3:ready");
            assertThat(data.path("guildsCount").asLong()).isEqualTo(651);
            assertThat(data.path("memoryUsage").asDouble()).isEqualTo(20.0);
        }
    }

    @Test
    void withoutNumbersFromReportersTheGatewayOwnAreShown() {
        try (TestGateway gw = TestGateway.start()) {
            put(gw, "bot", "{\"shards\":[],\"guildsCount\":3}");
            JsonNode data = status(gw);
            assertThat(data.path("guildsCount").asLong()).isEqualTo(3);
            assertThat(data.path("memoryUsage").asDouble()).as("gateway heap in MiB").isPositive();
            assertThat(data.path("uptime").asLong()).as("gateway uptime")
                    .isBetween(0L, gw.gateway.status().gatewayUptimeMillis());

            assertThat(gw.http("DELETE", "/api/status/bot", gw.privateToken, null).statusCode()).isEqualTo(204);
            assertThat(gw.http("DELETE", "/api/status/never-reported", gw.privateToken, null).statusCode()).isEqualTo(204);
            assertThat(status(gw).path("guildsCount").asLong()).isZero();
            assertThat(status(gw).path("shards")).isEmpty();
        }
    }

    @Test
    void aSilentReporterShowsDisconnectedShardsAfterTheTtl() {
        try (TestGateway gw = TestGateway.start(b -> b.set(STATUS_TTL, Duration.ofMillis(300)));
             WsTestClient client = gw.connect()) {
            String report = "{\"shards\":[{\"id\":2,\"status\":\"ready\"},{\"id\":0,\"status\":\"ready\"}],"
                    + "\"guildsCount\":1500,\"memoryUsage\":999999.5,\"uptime\":50000000}";
            put(gw, "cluster-a", report);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(shards(status(gw))).containsExactly("0:disconnected", "2:disconnected"));
            JsonNode data = ack(client);
            assertThat(shards(data)).containsExactly("0:disconnected", "2:disconnected");
            assertThat(data.path("guildsCount").asLong()).as("its guilds still count").isEqualTo(1500);
            assertThat(data.path("memoryUsage").asDouble()).as("its heap no longer counts").isLessThan(999999.5);
            assertThat(data.path("uptime").asLong()).as("nor its uptime").isLessThan(50_000_000);

            put(gw, "cluster-a", report);
            assertThat(shards(ack(client))).as("a new report brings it back").containsExactly("0:ready", "2:ready");
        }
    }

    @Test
    void anErisShardsLatencyIsItsPing() {
        try (TestGateway gw = TestGateway.start()) {
            put(gw, "eris", "{\"shards\":[{\"id\":0,\"status\":\"ready\",\"latency\":41.6,\"preReady\":true},"
                    + "{\"id\":1,\"status\":\"connecting\",\"latency\":null}],\"guildsCount\":2}");
            JsonNode shards = status(gw).path("shards");
            assertThat(shards.get(0).path("ping").asLong()).isEqualTo(42);
            assertThat(shards.get(0).has("latency")).isFalse();
            assertThat(shards.get(1).path("ping").asLong()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "[]",
            "{not json",
            "{\"guildsCount\":1}",
            "{\"shards\":{},\"guildsCount\":1}",
            "{\"shards\":[]}",
            "{\"shards\":[],\"guildsCount\":-1}",
            "{\"shards\":[],\"guildsCount\":1.5}",
            "{\"shards\":[],\"guildsCount\":\"1\"}",
            "{\"shards\":[],\"guildsCount\":1,\"memoryUsage\":\"big\"}",
            "{\"shards\":[],\"guildsCount\":1,\"uptime\":-5}",
            "{\"shards\":[1],\"guildsCount\":1}",
            "{\"shards\":[{\"status\":\"ready\"}],\"guildsCount\":1}",
            "{\"shards\":[{\"id\":-1,\"status\":\"ready\"}],\"guildsCount\":1}",
            "{\"shards\":[{\"id\":0}],\"guildsCount\":1}",
            "{\"shards\":[{\"id\":0,\"status\":\"ready\",\"ping\":\"fast\"}],\"guildsCount\":1}",
            "{\"shards\":[{\"id\":0,\"status\":\"ready\",\"ping\":-5}],\"guildsCount\":1}",
            "{\"shards\":[{\"id\":0,\"status\":\"ready\",\"latency\":-5}],\"guildsCount\":1}",
            "{\"shards\":[{\"id\":0,\"status\":\"banana\"}],\"guildsCount\":1}",
            "{\"shards\":[{\"id\":0,\"status\":\"ready\",\"guildCount\":-3}],\"guildsCount\":1}",
            "{\"shards\":[{\"id\":0,\"status\":\"ready\"},{\"id\":0,\"status\":\"ready\"}],\"guildsCount\":1}",
            "{\"shards\":[],\"guildsCount\":9007199254740992}",
            "{\"shards\":[],\"guildsCount\":1,\"memoryUsage\":1e400}",
            "{\"shards\":[],\"guildsCount\":1,\"uptime\":9223372036854775807}",
            "{\"shards\":[],\"guildsCount\":1} and more",
    })
    void malformedReportsAre400AndChangeNothing(String body) {
        try (TestGateway gw = TestGateway.start()) {
            put(gw, "bot", "{\"shards\":[{\"id\":0,\"status\":\"ready\"}],\"guildsCount\":1}");
            assertError(gw.http("PUT", "/api/status/bot", gw.privateToken, body), 400);
            assertThat(shards(status(gw))).containsExactly("0:ready");
        }
    }

    @Test
    void reporterNamesAreChecked() {
        try (TestGateway gw = TestGateway.start()) {
            for (String reporter : List.of("bad%20name", "caf%C3%A9", "x".repeat(101))) {
                assertError(gw.http("PUT", "/api/status/" + reporter, gw.privateToken,
                        "{\"shards\":[],\"guildsCount\":1}"), 400);
                assertError(gw.http("DELETE", "/api/status/" + reporter, gw.privateToken, null), 400);
            }
            put(gw, "node-1.cluster_a:" + "x".repeat(83), "{\"shards\":[],\"guildsCount\":1}");
            assertThat(status(gw).path("guildsCount").asLong()).isEqualTo(1);
        }
    }
}
