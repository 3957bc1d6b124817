package dev.felix.bench;

import dev.felix.server.testing.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static dev.felix.server.config.Settings.MAX_CONNECTIONS_PER_TOKEN;
import static dev.felix.server.config.Settings.MAX_MESSAGES_PER_SECOND;
import static dev.felix.server.config.Settings.MESSAGE_BURST;
import static dev.felix.server.config.Settings.WRITE_DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A seconds-long run of every scenario against a real gateway, so the bench keeps speaking the
 * protocol. Tiny sizes and no timing assertions: only that the load got through.
 */
class ScenarioSmokeTest {
    private static TestGateway gw;

    @BeforeAll
    static void start() {
        // Limits lifted as in the compare run, so the as-fast-as-answered scenarios run unthrottled. On a loaded
        // machine a checkpoint's fsync or a starved thread may hold the store's writer past the default write
        // deadline; these runs check that the bench's writes get through, not how fast the disk is.
        gw = TestGateway.start(b -> b
                .set(MAX_MESSAGES_PER_SECOND, 1_000_000).set(MESSAGE_BURST, 1_000_000)
                .set(MAX_CONNECTIONS_PER_TOKEN, 1_000_000).set(WRITE_DEADLINE, Duration.ofMinutes(2)));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static Map<String, Double> runAgainst(String url, String http, String token, Supplier<ScenarioCommand> factory,
                                          String... options) {
        ScenarioCommand scenario = factory.get();
        List<String> args = new ArrayList<>(List.of("--url", url, "--http", http, "--token", token));
        args.addAll(List.of(options));
        new CommandLine(scenario).parseArgs(args.toArray(String[]::new));
        return Runner.run(scenario, scenario.target, args).stream()
                .collect(Collectors.toMap(Metric::name, Metric::value));
    }

    private static Map<String, Double> run(Supplier<ScenarioCommand> factory, String... options) {
        return runAgainst("ws://127.0.0.1:" + gw.gateway.wsPort() + "/", "http://127.0.0.1:" + gw.gateway.httpPort(),
                gw.privateToken, factory, options);
    }

    @Test
    void connectionsAreOpenedAndHeldOverTwoDriverProcessesAfterAColdPass() {
        Map<String, Double> m = run(ConnectionsScenario::new, "--clients", "20", "--warmup-clients", "10",
                "--procs", "2", "--hold", "1", "--server-pid", Long.toString(ProcessHandle.current().pid()));
        assertThat(m).containsEntry("connections.opened", 20.0).containsEntry("connections.failed", 0.0)
                .containsEntry("connections.held_after_1s", 20.0).containsEntry("connections.cold_opened", 10.0)
                .containsKeys("connections.server_rss_per_conn", "connections.server_rss_warm",
                        "connections.server_rss_per_conn_warm", "connections.handshake_cold_p99",
                        "connections.handshake_warm_p99");
        assertThat(m.get("connections.handshakes_cold")).isPositive();
        assertThat(m.get("connections.handshakes_warm")).isPositive();
    }

    @Test
    void connectionsWithoutAColdPassReportOneHandshakeRate() {
        Map<String, Double> m = run(ConnectionsScenario::new, "--clients", "5", "--warmup-clients", "0", "--hold", "0");
        assertThat(m).containsEntry("connections.opened", 5.0).doesNotContainKey("connections.handshakes_cold");
        assertThat(m.get("connections.handshakes")).isPositive();
    }

    @Test
    void theCommandLineSpreadsAScenarioOverDriverProcesses() {
        int exit = BenchCommand.commandLine().execute("connections", "--url", "ws://127.0.0.1:" + gw.gateway.wsPort() + "/",
                "--token", gw.privateToken, "--clients", "6", "--procs", "2", "--hold", "0");
        assertThat(exit).isZero();
    }

    @Test
    void heartbeatsAreAnswered() {
        Map<String, Double> m = run(HeartbeatScenario::new, "--clients", "10", "--rate", "5", "--shards", "4",
                "--duration", "1", "--warmup", "0");
        assertThat(m).containsEntry("heartbeat.clients", 10.0);
        assertThat(m.get("heartbeat.acks")).isPositive();
        assertThat(m).containsKeys("heartbeat.ack_p50", "heartbeat.ack_p99", "heartbeat.ack_p999");
        // The shards the run reported are withdrawn once it is over.
        await().atMost(Duration.ofSeconds(10)).until(() -> gw.gateway.status().reports().isEmpty());
    }

    @Test
    void heartbeatsAtMaxRateAreAnswered() {
        Map<String, Double> m = run(HeartbeatScenario::new, "--clients", "4", "--rate", "max", "--duration", "1",
                "--warmup", "0");
        assertThat(m.get("heartbeat.acks")).isPositive();
    }

    @Test
    void updatesFanOutToEveryListener() {
        Map<String, Double> m = run(FanoutScenario::new, "--clients", "10", "--guilds", "2", "--rate", "20",
                "--burst-listeners", "30", "--bursts", "2", "--duration", "1", "--warmup", "0");
        assertThat(m).containsEntry("fanout.listeners", 10.0).containsEntry("fanout.burst_listeners", 30.0)
                .doesNotContainKeys("fanout.bursts_incomplete", "fanout.undelivered");
        assertThat(m.get("fanout.deliveries")).isPositive();
        assertThat(m).containsKeys("fanout.delivery_p99", "fanout.burst_all_delivered_max");
    }

    @Test
    void writesSucceedWithAndWithoutListeners() {
        Map<String, Double> m = run(WritesScenario::new, "--listeners", "5", "--guilds", "3", "--concurrency", "2",
                "--duration", "1", "--warmup", "0");
        assertThat(m.get("writes.alone")).isPositive();
        assertThat(m.get("writes.listened")).isPositive();
        // Every listener got every write of the listened phase, each delivery timed.
        assertThat(m).doesNotContainKeys("writes.alone_failed", "writes.listened_failed", "writes.listened_undelivered")
                .containsKey("writes.listened_delivery_p99");
    }
}
