package dev.felix.server.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.Shard;
import dev.felix.protocol.StatusReport;
import dev.felix.protocol.Wire;
import dev.felix.server.testing.RunningGateway;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.felix.server.config.Settings.MAX_MESSAGES_PER_SECOND;
import static dev.felix.server.config.Settings.MESSAGE_BURST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@Timeout(120)
@RunningGateway
class MetricsAndHealthTest {
    private TestGateway gw;

    @Test
    void metricsCountTrafficAfterItHappened() {
        assertThat(WsTestClient.refusedStatus(gw.wsUri(), "fxp_unknown")).isEqualTo(403);
        assertThat(WsTestClient.refusedStatus(gw.wsUri(), gw.publicToken)).isEqualTo(403);
        assertThat(WsTestClient.refusedStatus(gw.wsUri(), null)).isEqualTo(403);
        gw.gateway.status().put("bot", new StatusReport(List.of(Shard.of(0, "ready", 42)), 7, null, null));
        try (WsTestClient listener = gw.connect(); WsTestClient idle = gw.connect()) {
            listener.send("{\"code\":20002,\"data\":{\"users\":[\"5\"],\"guilds\":[\"111\"]}}");
            listener.send("not json");
            listener.send("{\"code\":20001}");
            assertThat(listener.next().path("code").asInt()).isEqualTo(10001);
            assertThat(gw.http("PUT", "/api/guilds/111", gw.privateToken, "{\"a\":1}").statusCode()).isEqualTo(200);
            assertThat(gw.http("PUT", "/api/users/5", gw.privateToken, "{\"b\":2}").statusCode()).isEqualTo(200);
            assertThat(gw.http("PATCH", "/api/guilds/404", gw.privateToken, "{}").statusCode()).isEqualTo(404);
            assertThat(listener.next().path("code").asInt()).isEqualTo(10002);
            assertThat(listener.next().path("code").asInt()).isEqualTo(10003);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                String metrics = scrape();
                assertThat(value(metrics, "felix_ws_connections")).isEqualTo(2);
                assertThat(value(metrics, "felix_ws_handshakes_total{reason=\"none\",result=\"accepted\"}")).isEqualTo(2);
                assertThat(value(metrics, "felix_ws_handshakes_total{reason=\"unknown_token\",result=\"refused\"}"))
                        .isEqualTo(1);
                assertThat(value(metrics, "felix_ws_handshakes_total{reason=\"public_token\",result=\"refused\"}"))
                        .isEqualTo(1);
                assertThat(value(metrics, "felix_ws_handshakes_total{reason=\"missing_token\",result=\"refused\"}"))
                        .isEqualTo(1);
                assertThat(value(metrics, "felix_ws_messages_in_total{code=\"20001\",name=\"HEARTBEAT\"}")).isEqualTo(1);
                assertThat(value(metrics, "felix_ws_messages_in_total{code=\"20002\",name=\"LISTENERS_UPDATE\"}"))
                        .isEqualTo(1);
                assertThat(value(metrics, "felix_ws_messages_in_total{code=\"none\",name=\"IGNORED\"}")).isEqualTo(1);
                assertThat(value(metrics, "felix_ws_messages_out_total{code=\"10001\",name=\"HEARTBEAT_ACK\"}"))
                        .isEqualTo(1);
                assertThat(value(metrics, "felix_ws_messages_out_total{code=\"10002\",name=\"GDB_UPDATE\"}")).isEqualTo(1);
                assertThat(value(metrics, "felix_ws_messages_out_total{code=\"10003\",name=\"UDB_UPDATE\"}")).isEqualTo(1);
                assertThat(value(metrics, "felix_fanout_deliveries_total")).isEqualTo(2);
                assertThat(value(metrics, "felix_fanout_latency_seconds_count")).isEqualTo(2);
                assertThat(value(metrics, "felix_store_writes_seconds_count{kind=\"guild\"}")).isEqualTo(1);
                assertThat(value(metrics, "felix_store_writes_seconds_count{kind=\"user\"}")).isEqualTo(1);
                assertThat(value(metrics, "felix_store_writes_failed_total{kind=\"guild\",reason=\"error\"}")).isZero();
                assertThat(value(metrics, "felix_store_writable")).isEqualTo(1);
                assertThat(value(metrics, "felix_ws_slow_consumer_closes_total")).isZero();
                assertThat(value(metrics, "felix_status_reporters")).isEqualTo(1);
                assertThat(metrics).contains("jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads",
                        "process_uptime_seconds", "process_cpu_usage");
            });
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(value(scrape(), "felix_ws_connections")).isZero());
    }

    @Test
    void limitClosesAreCounted() {
        try (TestGateway limited = TestGateway.start(b -> b.set(MESSAGE_BURST, 3).set(MAX_MESSAGES_PER_SECOND, 1));
             WsTestClient client = limited.connect()) {
            for (int i = 0; i < 10 && !client.closed.isDone(); i++) {
                client.send("{\"code\":20001}");
            }
            assertThat(client.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(1008);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                String metrics = limited.http("GET", "/metrics", null, null).body();
                assertThat(value(metrics, "felix_ws_rate_limit_closes_total")).isEqualTo(1);
                assertThat(value(metrics, "felix_ws_slow_consumer_closes_total")).isZero();
            });
        }
    }

    @Test
    void metricsAreServedInThePrometheusTextFormat() {
        HttpResponse<String> response = gw.http("GET", "/metrics", null, null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("text/plain"));
        assertThat(response.body()).contains("# TYPE felix_ws_connections gauge");
    }

    @Test
    void healthzSaysTheProcessIsUpWithoutAToken() throws Exception {
        HttpResponse<String> response = gw.http("GET", "/healthz", null, null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Wire.mapper().readTree(response.body()).path("status").asText()).isEqualTo("UP");
    }

    @Test
    void readyzIsReadyWhileTheStoreAnswersAnd503Otherwise() throws Exception {
        HttpResponse<String> ready = gw.http("GET", "/readyz", null, null);
        assertThat(ready.statusCode()).isEqualTo(200);
        JsonNode body = Wire.mapper().readTree(ready.body());
        assertThat(body.path("status").asText()).isEqualTo("READY");
        assertThat(body.path("checks").path("store").asBoolean()).isTrue();
        assertThat(body.path("checks").path("writes").asBoolean()).isTrue();
        assertThat(body.path("checks").path("ports").asBoolean()).isTrue();

        gw.gateway.store().close();
        HttpResponse<String> notReady = gw.http("GET", "/readyz", null, null);
        assertThat(notReady.statusCode()).isEqualTo(503);
        JsonNode error = Wire.mapper().readTree(notReady.body());
        assertThat(error.path("status").asInt()).isEqualTo(503);
        assertThat(error.path("error").asText()).isEqualTo("Service Unavailable");
        assertThat(error.path("message").asText()).isEqualTo("store unreachable");
        assertThat(error.path("checks").path("store").asBoolean()).isFalse();

        HttpResponse<String> refused = gw.http("PUT", "/api/guilds/1", gw.privateToken, "{}");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(value(scrape(),
                "felix_store_writes_failed_total{kind=\"guild\",reason=\"unavailable\"}")).isEqualTo(1));
    }

    private String scrape() {
        HttpResponse<String> response = gw.http("GET", "/metrics", null, null);
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The value of one sample, by its name and labels exactly as exported. */
    private static double value(String metrics, String sample) {
        Matcher m = Pattern.compile("^" + Pattern.quote(sample) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        if (!m.find()) {
            throw new AssertionError("no sample " + sample + " in:\n" + metrics);
        }
        return Double.parseDouble(m.group(1));
    }
}
