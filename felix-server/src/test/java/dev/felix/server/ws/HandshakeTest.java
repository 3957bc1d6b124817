package dev.felix.server.ws;

import dev.felix.server.store.Scope;
import dev.felix.server.store.TokenRecord;
import dev.felix.server.testing.RawWsClient;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.TestLog;
import dev.felix.server.testing.WsTestClient;
import dev.felix.server.store.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class HandshakeTest {
    private static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

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
        try (RawWsClient raw = RawWsClient.connect(gw.gateway.wsPort(), "/", gw.publicToken, "raw")) {
            assertThat(raw.status).isEqualTo(403);
        }
        try (RawWsClient raw = RawWsClient.connect(gw.gateway.wsPort(), "/", gw.privateToken, "raw")) {
            assertThat(raw.status).isEqualTo(101);
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
