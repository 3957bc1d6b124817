package dev.felix.server.ws;

import dev.felix.server.testing.RawWebSocket;
import dev.felix.server.testing.RunningGateway;
import dev.felix.server.testing.TestGateway;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The socket port's answers outside the happy path of a handshake, and the control frames the
 * server answers itself: what a client library relies on from any WebSocket server.
 */
@RunningGateway
class HttpAndControlFramesTest {
    private static final int PONG = 0xA;
    private static TestGateway gw;

    @Test
    void plainHttpRequestIsAnswered426() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.gateway.wsPort() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(426);
        assertThat(response.body()).contains("connect with a WebSocket client");
    }

    @Test
    void upgradeWithoutKeyIsRefusedWith400() throws Exception {
        String head = rawRequest("Sec-WebSocket-Version: 13\r\n");
        assertThat(head).startsWith("HTTP/1.1 400");
    }

    @Test
    void unsupportedVersionIsAnswered426NamingVersion13() throws Exception {
        String head = rawRequest("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n");
        assertThat(head).startsWith("HTTP/1.1 426").containsIgnoringCase("sec-websocket-version: 13");
    }

    @Test
    void frameSentRightBehindTheUpgradeRequestIsNotLost() throws Exception {
        try (RawWebSocket raw = RawWebSocket.open(gw.gateway.wsPort(), 0)) {
            byte[] request = ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + "Authorization: " + gw.privateToken + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] heartbeat = RawWebSocket.encode(RawWebSocket.TEXT, true,
                    "{\"code\":20001}".getBytes(StandardCharsets.UTF_8), true, 0);
            // One write: the frame arrives in the same read as the request, before the 101 is out.
            raw.write(ByteBuffer.allocate(request.length + heartbeat.length).put(request).put(heartbeat).array());
            assertThat(RawWebSocket.readHead(raw.input())).startsWith("HTTP/1.1 101");
            assertThat(raw.read().text()).contains("\"code\":10001");
        }
    }

    @Test
    void pingIsAnsweredWithPongCarryingItsPayload() throws Exception {
        try (RawWebSocket ws = RawWebSocket.connect(gw.gateway.wsPort(), gw.privateToken)) {
            ws.frame(RawWebSocket.PING, true, "are you there".getBytes(StandardCharsets.UTF_8));
            RawWebSocket.Frame pong = ws.read();
            assertThat(pong.opcode()).isEqualTo(PONG);
            assertThat(pong.text()).isEqualTo("are you there");
        }
    }

    @Test
    void clientCloseIsEchoedAndTheConnectionEnds() throws Exception {
        try (RawWebSocket ws = RawWebSocket.connect(gw.gateway.wsPort(), gw.privateToken)) {
            byte[] reason = "bye".getBytes(StandardCharsets.UTF_8);
            ws.frame(RawWebSocket.CLOSE, true,
                    ByteBuffer.allocate(2 + reason.length).putShort((short) 4001).put(reason).array());
            RawWebSocket.Frame echo = ws.read();
            assertThat(echo.opcode()).isEqualTo(RawWebSocket.CLOSE);
            assertThat(echo.closeCode()).isEqualTo(4001);
            assertThatThrownBy(ws::read).isInstanceOf(EOFException.class);
        }
    }

    /** An upgrade request with a valid token and the given extra header lines; returns the response head. */
    private static String rawRequest(String headers) throws IOException {
        try (RawWebSocket raw = RawWebSocket.open(gw.gateway.wsPort(), 0)) {
            raw.write(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Authorization: " + gw.privateToken + "\r\n" + headers + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return RawWebSocket.readHead(raw.input());
        }
    }
}
