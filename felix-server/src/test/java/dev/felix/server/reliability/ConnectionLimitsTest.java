package dev.felix.server.reliability;

import dev.felix.server.store.Scope;
import dev.felix.server.store.Tokens;
import dev.felix.server.testing.RawWebSocket;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.TestLog;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.felix.server.config.Settings.MAX_CONNECTIONS;
import static dev.felix.server.config.Settings.MAX_CONNECTIONS_PER_IP;
import static dev.felix.server.config.Settings.REQUEST_BODY_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Connection caps over both ports, the request body deadline, and the log of refused handshakes. */
class ConnectionLimitsTest {

    @Test
    void beyondMaxConnectionsBothPortsAnswer503AndCloseUntilOneCloses() throws Exception {
        try (TestGateway gw = TestGateway.start(c -> c.set(MAX_CONNECTIONS, 3))) {
            List<Socket> idle = new ArrayList<>();
            try {
                // Slow-header clients: connected, never a byte sent.
                idle.add(connect("127.0.0.1", gw.gateway.httpPort()));
                idle.add(connect("127.0.0.1", gw.gateway.httpPort()));
                idle.add(connect("127.0.0.1", gw.gateway.wsPort()));
                // Accepted by the kernel is not yet counted by the gateway: wait for it.
                await().atMost(Duration.ofSeconds(10)).until(() -> gw.gateway.connections().open() == 3);
                assertThat(refusal("127.0.0.1", gw.gateway.wsPort())).startsWith("HTTP/1.1 503").contains("Retry-After");
                assertThat(refusal("127.0.0.1", gw.gateway.httpPort())).startsWith("HTTP/1.1 503");
            } finally {
                for (Socket s : idle) {
                    s.close();
                }
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                try (WsTestClient client = gw.connect()) {
                    assertThat(client.sync()).isEmpty();
                }
            });
            String metrics = gw.http("GET", "/metrics", null, null).body();
            assertThat(metrics).contains("felix_connections_refused_total{limit=\"total\",port=\"ws\"} 1.0",
                    "felix_connections_refused_total{limit=\"total\",port=\"http\"} 1.0",
                    "felix_connections_refused_total{limit=\"per_ip\",port=\"ws\"} 0.0");
        }
    }

    @Test
    void maxConnectionsPerIpCountsOneAddressOverBothPorts() throws Exception {
        try (TestGateway gw = TestGateway.start(c -> c.set(MAX_CONNECTIONS_PER_IP, 2))) {
            try (Socket a = connect("127.0.0.1", gw.gateway.wsPort());
                 Socket b = connect("127.0.0.1", gw.gateway.httpPort())) {
                await().atMost(Duration.ofSeconds(10)).until(() -> gw.gateway.connections().open() == 2);
                assertThat(refusal("127.0.0.1", gw.gateway.httpPort())).startsWith("HTTP/1.1 503");
                // Another address on the loopback is not held back by the first one's connections.
                try (RawWebSocket other = upgradeFrom("127.0.0.2", gw)) {
                    assertThat(other.status()).isEqualTo(101);
                }
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(gw.http("GET", "/metrics", null, null)
                    .body()).contains("felix_connections_refused_total{limit=\"per_ip\",port=\"http\"} 1.0"));
        }
    }

    @Test
    void aRequestBodyThatTricklesIsCutOffWith408() throws Exception {
        try (TestGateway gw = TestGateway.start(c -> c.set(REQUEST_BODY_TIMEOUT, Duration.ofMillis(500)));
             Socket s = connect("127.0.0.1", gw.gateway.httpPort())) {
            OutputStream out = s.getOutputStream();
            out.write(("PUT /api/guilds/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + gw.privateToken
                    + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 408").contains("--request-body-timeout-ms");
            assertThat(gw.http("GET", "/api/guilds/1", gw.privateToken, null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void refusedHandshakesAreLoggedAtMostTenASecondAndTheRestCounted() throws Exception {
        try (TestGateway gw = TestGateway.start()) {
            TestLog log = TestLog.mark();
            int refused = 60;
            String unknown = Tokens.generate(Scope.PRIVATE);
            for (int i = 0; i < refused; i++) {
                try (RawWebSocket client = RawWebSocket.handshake(gw.gateway.wsPort(), unknown, null)) {
                    assertThat(client.status()).isEqualTo(403);
                }
            }
            Thread.sleep(1100);
            try (RawWebSocket client = RawWebSocket.handshake(gw.gateway.wsPort(), unknown, null)) {
                assertThat(client.status()).isEqualTo(403);
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(log.since()).contains("more refused handshakes were not logged"));
            long lines = log.since().lines().filter(l -> l.contains(": unknown token")).count();
            assertThat(lines).isLessThan(refused);
            assertThat(gw.http("GET", "/metrics", null, null).body())
                    .contains("felix_ws_handshakes_total{reason=\"unknown_token\",result=\"refused\"} " + (refused + 1) + ".0");
        }
    }

    private static Socket connect(String from, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(15_000);
        return s;
    }

    /** What the gateway sends a connection it refuses, up to its close. */
    private static String refusal(String from, int port) throws IOException {
        try (Socket s = connect(from, port)) {
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static RawWebSocket upgradeFrom(String from, TestGateway gw) throws IOException {
        return RawWebSocket.handshake(gw.gateway.wsPort(), gw.privateToken, null, new InetSocketAddress(from, 0));
    }
}
