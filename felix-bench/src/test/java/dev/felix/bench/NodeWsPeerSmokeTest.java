package dev.felix.bench;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Node ws baseline speaks the same protocol as felix: the bench's scenarios run against it.
 * Needs node (and the npm ci the build runs); without it this test fails rather than skips.
 */
class NodeWsPeerSmokeTest {
    private static final Path PEER = Path.of("..", "bench", "peers", "node-ws").toAbsolutePath().normalize();
    private static final String TOKEN = "bench-test-token";
    private static Process node;
    private static int wsPort;
    private static int httpPort;

    @BeforeAll
    static void start() throws IOException {
        assertThat(PEER.resolve("node_modules/ws")).as("npm ci has installed ws for the baseline").isDirectory();
        wsPort = freePort();
        httpPort = freePort();
        ProcessBuilder pb = new ProcessBuilder("node", "server.js").directory(PEER.toFile())
                .redirectErrorStream(true).redirectOutput(Files.createTempFile("node-ws", ".log").toFile());
        pb.environment().put("FELIX_TOKEN", TOKEN);
        pb.environment().put("WS_PORT", Integer.toString(wsPort));
        pb.environment().put("HTTP_PORT", Integer.toString(httpPort));
        node = pb.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> listening(wsPort) && listening(httpPort));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (node != null) {
            node.destroy();
            node.waitFor();
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Map<String, Double> run(java.util.function.Supplier<ScenarioCommand> factory, String... options) {
        return ScenarioSmokeTest.runAgainst("ws://127.0.0.1:" + wsPort + "/", "http://127.0.0.1:" + httpPort, TOKEN,
                factory, options);
    }

    @Test
    void answersHeartbeats() {
        Map<String, Double> m = run(HeartbeatScenario::new, "--clients", "5", "--rate", "5", "--duration", "1",
                "--warmup", "0");
        assertThat(m.get("heartbeat.acks")).isPositive();
    }

    @Test
    void fansOutWritesAndBursts() {
        Map<String, Double> m = run(FanoutScenario::new, "--clients", "5", "--guilds", "2", "--rate", "20",
                "--burst-listeners", "10", "--bursts", "2", "--duration", "1", "--warmup", "0");
        assertThat(m.get("fanout.deliveries")).isPositive();
        assertThat(m).doesNotContainKeys("fanout.bursts_incomplete", "fanout.undelivered");
    }

    @Test
    void refusesAWrongToken() {
        assertThat(ScenarioSmokeTest.runAgainst("ws://127.0.0.1:" + wsPort + "/", "http://127.0.0.1:" + httpPort,
                "wrong", ConnectionsScenario::new, "--clients", "3", "--hold", "0"))
                .containsEntry("connections.opened", 0.0).containsEntry("connections.failed", 3.0);
    }
}
