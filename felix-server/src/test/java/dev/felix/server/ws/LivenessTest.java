package dev.felix.server.ws;

import dev.felix.server.testing.RawWebSocket;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.TestLog;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.felix.server.config.Settings.PING_INTERVAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Short ping intervals: a client that answers stays, one that does not is cut off without a close frame. */
class LivenessTest {
    private static final Duration PING = Duration.ofMillis(200);
    private static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(b -> b.set(PING_INTERVAL, PING));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    /** A longer interval than the silent client's, so a busy machine delaying one pong does not count. */
    @Test
    void clientThatAnswersPingsStaysConnected() throws InterruptedException {
        Duration ping = Duration.ofMillis(1000);
        try (TestGateway slower = TestGateway.start(b -> b.set(PING_INTERVAL, ping));
             WsTestClient client = WsTestClient.connect(slower.wsUri(), slower.privateToken, "pong-answerer")) {
            for (int i = 0; i < 4; i++) {
                Thread.sleep(ping.toMillis());
                assertThat(client.closed).isNotDone();
                assertThat(client.sync()).isEmpty();
            }
            assertThat(TestLog.read()).doesNotContain("User-Agent: pong-answerer): no pong");
        }
    }

    @Test
    void clientThatNeverAnswersIsTerminatedWithoutCloseFrameAndLogged() throws Exception {
        String agent = "silent-client/1.0";
        try (RawWebSocket raw = RawWebSocket.handshake(gw.gateway.wsPort(), gw.privateToken, agent)) {
            assertThat(raw.status()).isEqualTo(101);
            List<Integer> opcodes = raw.readUntilEnd().stream().map(RawWebSocket.Frame::opcode).toList();
            // At least the ping it did not answer, and no close frame: the server just dropped the connection.
            assertThat(opcodes).isNotEmpty().containsOnly(RawWebSocket.PING);

            String remote = "127.0.0.1:" + raw.localPort();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(TestLog.read().lines()
                    .filter(l -> l.contains("terminated") && l.contains(remote) && l.contains(agent)))
                    .hasSize(1));
        }
    }

    @Test
    void openAndCloseAreLoggedWithAddressAgentCodeAndReason() {
        String agent = "log-watcher/2.0";
        WsTestClient client = WsTestClient.connect(gw.wsUri(), gw.privateToken, agent);
        client.sync();
        client.socket().sendClose(4000, "bye now").join();
        client.awaitClose(Duration.ofSeconds(10));
        client.close();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<String> lines = TestLog.read().lines().filter(l -> l.contains(agent)).toList();
            assertThat(lines).anyMatch(l -> l.contains("opened 127.0.0.1:"));
            assertThat(lines).anyMatch(l -> l.contains("closed 127.0.0.1:") && l.contains("code=4000")
                    && l.contains("reason=bye now"));
        });
    }
}
