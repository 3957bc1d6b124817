package dev.felix.server.ws;

import dev.felix.server.store.Scope;
import dev.felix.server.store.TokenRecord;
import dev.felix.server.store.Tokens;
import dev.felix.server.testing.RawWebSocket;
import dev.felix.server.testing.RunningGateway;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.TestLog;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@RunningGateway
class HandshakeTest {
    private static TestGateway gw;

    @Test
    void privateTokenSentAsIsUpgrades() {
        try (WsTestClient client = gw.connect()) {
            assertThat(client.sync()).isEmpty();
        }
    }

    @Test
    void anyPathUpgrades() {
        URI uri = URI.create("ws://127.0.0.1:" + gw.gateway.wsPort() + "/some/deep/path?x=1");
        try (WsTestClient client = WsTestClient.connect(uri, gw.privateToken)) {
            assertThat(client.sync()).isEmpty();
        }
    }

    /** RFC 6455 §4.2.1 and §11.3.1: what is not a valid opening handshake is 400, even with a good token. */
    @Test
    void malformedUpgradesAreRefusedWith400() throws Exception {
        String key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
        String host = "Host: 127.0.0.1\r\n";
        assertThat(rawUpgrade("HTTP/1.1", host + key)).startsWith("HTTP/1.1 101");
        assertThat(rawUpgrade("HTTP/1.1", host + "Sec-WebSocket-Key: not a key\r\n"))
                .startsWith("HTTP/1.1 400").contains("16 bytes in base64");
        assertThat(rawUpgrade("HTTP/1.1", host + "Sec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(new byte[15]) + "\r\n")).startsWith("HTTP/1.1 400");
        assertThat(rawUpgrade("HTTP/1.1", host + key + "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n"))
                .startsWith("HTTP/1.1 400").contains("more than one Sec-WebSocket-Key");
        assertThat(rawUpgrade("HTTP/1.0", host + key)).startsWith("HTTP/1.1 400").contains("HTTP/1.1");
        assertThat(rawUpgrade("HTTP/1.1", key)).startsWith("HTTP/1.1 400").contains("no Host");
    }

    /** One upgrade request with a good token and these headers; the answer's head and body as far as it came. */
    private static String rawUpgrade(String version, String headers) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gw.gateway.wsPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET / " + version + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Version: 13\r\nAuthorization: " + gw.privateToken + "\r\n" + headers + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String head = RawWebSocket.readHead(socket.getInputStream());
            if (head.startsWith("HTTP/1.1 101")) {
                return head;
            }
            return head + new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void missingTokenIsRefusedWith403() {
        assertThat(WsTestClient.refusedStatus(gw.wsUri(), null)).isEqualTo(403);
    }

    @Test
    void unknownTokenIsRefusedWith403() {
        assertThat(WsTestClient.refusedStatus(gw.wsUri(), Tokens.generate(Scope.PRIVATE))).isEqualTo(403);
        assertThat(WsTestClient.refusedStatus(gw.wsUri(), "")).isEqualTo(403);
    }

    @Test
    void publicTokenIsRefusedWith403() {
        assertThat(WsTestClient.refusedStatus(gw.wsUri(), gw.publicToken)).isEqualTo(403);
    }

    @Test
    void bearerFormIsRefusedWith403() {
        assertThat(WsTestClient.refusedStatus(gw.wsUri(), "Bearer " + gw.privateToken)).isEqualTo(403);
    }

    @Test
    void revokedTokenIsRefusedWith403() {
        String token = gw.mint(Scope.PRIVATE, "soon-revoked");
        assertThat(WsTestClient.refusedStatus(gw.wsUri(), token)).isEqualTo(101);
        TokenRecord record = gw.gateway.tokens().find(token);
        assertThat(gw.gateway.store().revokeToken(record.id())).isTrue();
        gw.gateway.tokens().reload();
        assertThat(WsTestClient.refusedStatus(gw.wsUri(), token)).isEqualTo(403);
    }

    @Test
    void refusalHappensBeforeTheUpgrade() throws Exception {
        try (RawWebSocket raw = RawWebSocket.handshake(gw.gateway.wsPort(), gw.publicToken, "raw")) {
            assertThat(raw.status()).isEqualTo(403);
        }
        try (RawWebSocket raw = RawWebSocket.handshake(gw.gateway.wsPort(), gw.privateToken, "raw")) {
            assertThat(raw.status()).isEqualTo(101);
        }
    }

    @Test
    void aLongUserAgentIsLoggedCut() {
        String agent = "agent-" + "x".repeat(5000);
        TestLog log = TestLog.mark();
        try (WsTestClient client = WsTestClient.connect(gw.wsUri(), gw.privateToken, agent)) {
            client.sync();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(log.since())
                .contains("(User-Agent: " + agent.substring(0, 200) + "…)")
                .doesNotContain(agent.substring(0, 201)));
    }

    @Test
    void tokensNeverAppearInTheLog() {
        String refusedPrivate = gw.mint(Scope.PRIVATE, "log-check");
        try (WsTestClient client = WsTestClient.connect(gw.wsUri(), refusedPrivate, "log-check-agent")) {
            client.sync();
        }
        WsTestClient.refusedStatus(gw.wsUri(), "Bearer " + refusedPrivate);
        WsTestClient.refusedStatus(gw.wsUri(), gw.publicToken);
        String unknown = Tokens.generate(Scope.PRIVATE);
        WsTestClient.refusedStatus(gw.wsUri(), unknown);

        String log = TestLog.read();
        // The log is written: the connection above shows in it, so its absence of tokens means something.
        assertThat(log).contains("log-check-agent");
        for (String token : new String[] {gw.privateToken, gw.publicToken, refusedPrivate, unknown}) {
            assertThat(log).doesNotContain(token);
            assertThat(log).doesNotContain(token.substring(4));
        }
    }
}
