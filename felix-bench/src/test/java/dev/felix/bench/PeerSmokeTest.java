package dev.felix.bench;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A peer of the compare run speaks the same protocol as felix: the bench's scenarios run against it.
 * Needs node and what the build's npm ci installs in the peer's directory; without them these tests
 * fail rather than skip.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PeerSmokeTest {
    private static final String TOKEN = "bench-test-token";
    private final Path dir;
    private Process server;
    private int wsPort;
    private int httpPort;

    PeerSmokeTest(String peer) {
        this.dir = Path.of("..", "bench", "peers", peer).toAbsolutePath().normalize();
    }

    /** What npm ci installs for the peer, relative to its directory. */
    abstract String installed();

    /** The command that runs the peer in its directory. */
    abstract ProcessBuilder command(Path dir) throws IOException;

    @BeforeAll
    void start() throws IOException {
        assertThat(dir.resolve(installed())).as("npm ci has installed the peer's dependencies").exists();
        wsPort = freePort();
        httpPort = freePort();
        ProcessBuilder pb = command(dir).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(Files.createTempFile("peer", ".log").toFile());
        pb.environment().put("FELIX_TOKEN", TOKEN);
        pb.environment().put("WS_PORT", Integer.toString(wsPort));
        pb.environment().put("HTTP_PORT", Integer.toString(httpPort));
        server = pb.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> listening(wsPort) && listening(httpPort));
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (server != null) {
            server.destroy();
            server.waitFor();
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

    private Map<String, Double> run(Supplier<ScenarioCommand> factory, String token, String... options) {
        return ScenarioSmokeTest.runAgainst("ws://127.0.0.1:" + wsPort + "/", "http://127.0.0.1:" + httpPort, token,
                factory, options);
    }

    @Test
    void answersHeartbeats() {
        Map<String, Double> m = run(HeartbeatScenario::new, TOKEN, "--clients", "5", "--rate", "5", "--duration", "1",
                "--warmup", "0");
        assertThat(m.get("heartbeat.acks")).isPositive();
    }

    @Test
    void fansOutWritesAndBursts() {
        Map<String, Double> m = run(FanoutScenario::new, TOKEN, "--clients", "5", "--guilds", "2", "--rate", "20",
                "--burst-listeners", "10", "--bursts", "2", "--duration", "1", "--warmup", "0");
        assertThat(m.get("fanout.deliveries")).isPositive();
        assertThat(m).doesNotContainKeys("fanout.bursts_incomplete", "fanout.undelivered");
    }

    @Test
    void writesWithAndWithoutListeners() {
        Map<String, Double> m = run(WritesScenario::new, TOKEN, "--listeners", "3", "--duration", "1",
                "--warmup", "0");
        assertThat(m.get("writes.alone")).isPositive();
        assertThat(m.get("writes.listened")).isPositive();
    }

    @Test
    void refusesAWrongToken() {
        // The peer refuses as felix does, and the run says so instead of reporting numbers.
        assertThatThrownBy(() -> run(ConnectionsScenario::new, "wrong", "--clients", "3", "--warmup-clients", "0",
                "--hold", "0"))
                .isInstanceOf(Runner.RunFailed.class)
                .hasMessageContaining("3 connections: handshake refused with HTTP 403");
    }
}
