package dev.felix.server.ws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.server.testing.RunningGateway;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Browsers pass their token as a subprotocol, since they cannot set Authorization on a WebSocket. */
@Timeout(120)
@RunningGateway
class SubprotocolAuthTest {
    private TestGateway gw;

    @Test
    void privateTokenAsSubprotocolIsAcceptedAndAnsweredWithFelixV1() throws Exception {
        try (WsTestClient client = WsTestClient.tryConnect(gw.wsUri(), null,
                "felix.v1", "felix.token." + gw.privateToken).get(10, TimeUnit.SECONDS)) {
            assertThat(client.socket().getSubprotocol()).isEqualTo("felix.v1");
            client.send("{\"code\":20001}");
            JsonNode ack = client.next();
            assertThat(ack.path("code").asInt()).isEqualTo(10001);
        }
    }

    @Test
    void tokenSubprotocolMayComeFirst() throws Exception {
        try (WsTestClient client = WsTestClient.tryConnect(gw.wsUri(), null,
                "felix.token." + gw.privateToken, "felix.v1").get(10, TimeUnit.SECONDS)) {
            assertThat(client.socket().getSubprotocol()).isEqualTo("felix.v1");
        }
    }

    @Test
    void headerClientsMayOfferFelixV1Too() throws Exception {
        try (WsTestClient client = WsTestClient.tryConnect(gw.wsUri(), gw.privateToken, "felix.v1")
                .get(10, TimeUnit.SECONDS)) {
            assertThat(client.socket().getSubprotocol()).isEqualTo("felix.v1");
        }
    }

    @Test
    void headerClientsWithoutSubprotocolGetNone() throws Exception {
        try (WsTestClient client = WsTestClient.tryConnect(gw.wsUri(), gw.privateToken).get(10, TimeUnit.SECONDS)) {
            assertThat(client.socket().getSubprotocol()).isEmpty();
        }
    }

    @Test
    void unknownPublicOrMissingTokensAreRefusedWith403() {
        assertThat(WsTestClient.refusedStatus(gw.wsUri(), null, "felix.v1", "felix.token.fxp_unknown")).isEqualTo(403);
        assertThat(WsTestClient.refusedStatus(gw.wsUri(), null, "felix.v1", "felix.token." + gw.publicToken))
                .isEqualTo(403);
        assertThat(WsTestClient.refusedStatus(gw.wsUri(), null, "felix.v1")).isEqualTo(403);
    }

    @Test
    void tokenSubprotocolWithoutFelixV1IsRefused() {
        assertThat(WsTestClient.refusedStatus(gw.wsUri(), null, "felix.token." + gw.privateToken)).isEqualTo(403);
    }

    @Test
    void revokedTokenIsRefused() {
        long id = gw.gateway.tokens().find(gw.privateToken).id();
        gw.gateway.store().revokeToken(id);
        gw.gateway.tokens().reload();
        assertThat(WsTestClient.refusedStatus(gw.wsUri(), null, "felix.v1", "felix.token." + gw.privateToken))
                .isEqualTo(403);
    }
}
