package dev.felix.server.ws;

import dev.felix.server.testing.RawWebSocket;
import dev.felix.server.testing.RunningGateway;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the server ignores (the socket stays open) and the one size limit it enforces (1009). */
@RunningGateway("max-message-bytes=" + IgnoredInputTest.LIMIT)
class IgnoredInputTest {
    static final int LIMIT = 1024;
    private static TestGateway gw;

    @Test
    void malformedMessagesAreIgnoredAndTheConnectionStaysOpen() {
        List<String> ignored = List.of(
                "not json at all",
                "{\"code\":20001",
                "",
                "[{\"code\":20001}]",
                "\"{\\\"code\\\":20001}\"",
                "20001",
                "null",
                "{}",
                "{\"data\":{}}",
                "{\"code\":\"20001\"}",
                "{\"code\":20001.5}",
                "{\"code\":null}",
                "{\"code\":true}",
                "{\"code\":99999}",
                "{\"code\":20005,\"data\":{\"baguette\":\"baguette, indeed.\"}}",
                "{\"code\":10001}",
                "{\"code\":10002,\"data\":{\"guildID\":\"1\",\"guildData\":{}}}",
                "{\"code\":20002,\"data\":\"nope\"}",
                "{\"code\":20001} trailing text",
                "{\"code\":20001}]",
                "{\"code\":20001}{\"code\":20001}");
        try (WsTestClient client = gw.connect()) {
            for (String text : ignored) {
                client.send(text);
                assertThat(client.sync()).as("answer to %s", text).isEmpty();
            }
            assertThat(client.closed).isNotDone();
        }
    }

    @Test
    void aListenersUpdateFollowedByMoreTextIsIgnored() {
        try (WsTestClient client = gw.connect()) {
            client.send("{\"code\":20002,\"data\":{\"users\":[],\"guilds\":[\"777\"]}}");
            client.sync();
            // Read, this would replace the listened guild 777 with 555.
            client.send("{\"code\":20002,\"data\":{\"users\":[],\"guilds\":[\"555\"]}} and more");
            client.sync();
            gw.http("PUT", "/api/guilds/777", gw.privateToken, "{\"n\":1}");
            assertThat(client.next().path("data").path("guildID").asText()).isEqualTo("777");
        }
    }

    @Test
    void aCodeWithAnIntegerValueCountsHoweverItIsSpelled() {
        try (WsTestClient client = gw.connect()) {
            for (String text : List.of("{\"code\":20001.0}", "{\"code\":2.0001e4}", "{\"code\":20001E0}")) {
                client.send(text);
                assertThat(client.next().get("code").intValue()).as("answer to %s", text).isEqualTo(10001);
            }
        }
    }

    @Test
    void binaryFramesAreIgnored() {
        try (WsTestClient client = gw.connect()) {
            client.socket().sendBinary(ByteBuffer.wrap("{\"code\":20001}".getBytes(StandardCharsets.UTF_8)), true)
                    .join();
            client.socket().sendBinary(ByteBuffer.wrap(new byte[] {0, 1, 2, (byte) 0xff}), false).join();
            client.socket().sendBinary(ByteBuffer.wrap(new byte[] {3}), true).join();
            assertThat(client.sync()).isEmpty();
            assertThat(client.closed).isNotDone();
        }
    }

    @Test
    void messageUpToTheLimitIsRead() {
        try (WsTestClient client = gw.connect()) {
            String prefix = "{\"code\":20001,\"pad\":\"";
            String message = prefix + "x".repeat(LIMIT - prefix.length() - 2) + "\"}";
            assertThat(message.getBytes(StandardCharsets.UTF_8)).hasSize(LIMIT);
            client.send(message);
            assertThat(client.next().get("code").intValue()).isEqualTo(10001);
        }
    }

    @Test
    void messageOverTheLimitClosesWith1009() {
        try (WsTestClient client = gw.connect()) {
            client.send("{\"code\":20001,\"pad\":\"" + "x".repeat(LIMIT) + "\"}");
            assertThat(client.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(1009);
        }
    }

    @Test
    void fragmentedMessageOverTheLimitClosesWith1009() {
        try (WsTestClient client = gw.connect()) {
            // Each fragment is under the limit; together they are over it.
            client.socket().sendText("{\"code\":20001,\"pad\":\"" + "x".repeat(LIMIT / 3), false).join();
            client.socket().sendText("x".repeat(LIMIT / 3), false).join();
            client.socket().sendText("x".repeat(LIMIT / 3) + "\"}", true).join();
            assertThat(client.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(1009);
        }
    }

    @Test
    void fragmentedMessageUnderTheLimitIsRead() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect(gw.gateway.wsPort(), gw.privateToken)) {
            raw.frame(RawWebSocket.TEXT, false, "{\"code\":".getBytes(StandardCharsets.UTF_8));
            raw.frame(RawWebSocket.CONTINUATION, false, "200".getBytes(StandardCharsets.UTF_8));
            raw.frame(RawWebSocket.CONTINUATION, true, "01}".getBytes(StandardCharsets.UTF_8));
            RawWebSocket.Frame frame = raw.read();
            assertThat(frame.opcode()).isEqualTo(RawWebSocket.TEXT);
            assertThat(frame.text()).contains("\"code\":10001");
        }
    }
}
