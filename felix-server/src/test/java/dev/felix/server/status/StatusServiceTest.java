package dev.felix.server.status;

import dev.felix.protocol.BotStatus;
import dev.felix.protocol.Shard;
import dev.felix.protocol.StatusReport;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class StatusServiceTest {

    private static List<String> shards(BotStatus status) {
        return status.shards().stream().map(s -> s.id() + ":" + s.status()).toList();
    }

    @Test
    void mergesReportersByTheRule() {
        try (StatusService status = new StatusService()) {
            status.report("a", new StatusReport(List.of(Shard.of(4, Shard.READY, 10), Shard.of(0, Shard.READY, 12)),
                    100, 50.0, 1000L));
            status.report("b", new StatusReport(List.of(Shard.of(2, Shard.CONNECTING, 0)), 20, null, 3_000_000L));
            status.put("local", new StatusReport(List.of(Shard.of(1, Shard.READY, 5)), 3, 7.25, null));

            BotStatus now = status.current();
            assertThat(shards(now)).containsExactly("0:ready", "1:ready", "2:connecting", "4:ready");
            assertThat(now.guildsCount()).isEqualTo(123);
            assertThat(now.memoryUsage()).isEqualTo(57.25);
            assertThat(now.uptime()).isBetween(3_000_000L, 3_000_000L + 600_000);

            status.remove("b");
            assertThat(status.current().uptime()).isBetween(1000L, 1000L + 600_000);
            assertThat(status.reports()).containsOnlyKeys("a", "local");
        }
    }

    @Test
    void anAckShowsAReportThatArrivedWithinTheSameMillisecond() {
        try (StatusService status = new StatusService()) {
            long receivedAt = 1_700_000_000_000L;
            status.put("local", new StatusReport(List.of(), 5, 1.0, null));
            assertThat(ackText(status, receivedAt)).contains("\"guildsCount\":5,");
            status.put("local", new StatusReport(List.of(Shard.of(3, Shard.READY, 1)), 6, 1.0, null));
            assertThat(ackText(status, receivedAt)).contains("\"guildsCount\":6,").contains("\"id\":3");
            assertThat(ackText(status, receivedAt + 1)).contains("\"receivedAt\":" + (receivedAt + 1) + ",");
        }
    }

    private static String ackText(StatusService status, long receivedAt) {
        return new String(status.ack(receivedAt), StandardCharsets.UTF_8);
    }

    @Test
    void withoutReportsTheGatewayOwnNumbersShow() {
        try (StatusService status = new StatusService()) {
            BotStatus now = status.current();
            assertThat(now.shards()).isEmpty();
            assertThat(now.guildsCount()).isZero();
            assertThat(now.memoryUsage()).isPositive();
            assertThat(now.uptime()).isLessThanOrEqualTo(status.gatewayUptimeMillis());
        }
    }

    @Test
    void onlyRemoteReportersGoSilent() {
        try (StatusService status = new StatusService(Duration.ofMillis(100))) {
            status.report("remote", new StatusReport(List.of(Shard.of(0, Shard.READY, 1)), 10, 30.0, 1000L));
            status.put("local", new StatusReport(List.of(Shard.of(1, Shard.READY, 1)), 5, 8.0, null));
            await().atMost(Duration.ofSeconds(10)).until(() -> shards(status.current()).contains("0:disconnected"));
            BotStatus now = status.current();
            assertThat(shards(now)).containsExactly("0:disconnected", "1:ready");
            assertThat(now.guildsCount()).isEqualTo(15);
            assertThat(now.memoryUsage()).isEqualTo(8.0);
            assertThat(now.uptime()).isLessThan(1000L + 600_000).isLessThanOrEqualTo(status.gatewayUptimeMillis());
        }
    }

    @Test
    void publishedJsonIsDecodedAndMalformedJsonIgnored() {
        try (StatusService status = new StatusService()) {
            status.onPublished("a", new StatusReport(List.of(Shard.of(3, Shard.READY, 1)), 9, null, null).toJson());
            status.onPublished("b", "{\"shards\":\"no\"}");
            assertThat(shards(status.current())).containsExactly("3:ready");
            status.onPublished("a", null);
            assertThat(status.current().shards()).isEmpty();
        }
    }
}
