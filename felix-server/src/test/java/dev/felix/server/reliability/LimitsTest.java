package dev.felix.server.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.server.testing.RawWebSocket;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.WsTestClient;
import dev.felix.server.ws.WsStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.felix.server.config.Settings.HANDSHAKE_TIMEOUT;
import static dev.felix.server.config.Settings.HTTP_IDLE_TIMEOUT;
import static dev.felix.server.config.Settings.MAX_CONNECTIONS_PER_TOKEN;
import static dev.felix.server.config.Settings.MAX_LISTEN_IDS;
import static dev.felix.server.config.Settings.MAX_MESSAGES_PER_SECOND;
import static dev.felix.server.config.Settings.MAX_MESSAGE_BYTES;
import static dev.felix.server.config.Settings.MAX_QUEUED_BYTES;
import static dev.felix.server.config.Settings.MESSAGE_BURST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class LimitsTest {
    private static final String LISTEN_42 = "{\"code\":20002,\"data\":{\"users\":[],\"guilds\":[\"42\"]}}";
    private static final String HEARTBEAT = "{\"code\":20001}";

    private TestGateway gw;

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    void clientThatStopsReadingIsClosedAsSlowConsumerWhileOthersKeepReceiving() throws Exception {
        int maxQueued = 256 * 1024;
        gw = TestGateway.start(b -> b.set(MAX_QUEUED_BYTES, maxQueued));
        WsStats stats = gw.gateway.webSocket().stats();
        // A small receive window makes the kernel stop taking data for this client early.
        try (RawWebSocket slow = RawWebSocket.connect(gw.gateway.wsPort(), gw.privateToken, 4096);
             WsTestClient normal = gw.connect()) {
            slow.text(LISTEN_42);
            slow.text(HEARTBEAT);
            assertThat(slow.read().text()).contains("\"code\":10001");
            normal.send(LISTEN_42);
            normal.send(HEARTBEAT);
            assertThat(normal.next().path("code").asInt()).isEqualTo(10001);

            String blob = "x".repeat(64 * 1024);
            int writes = 200;
            AtomicLong maxSeen = new AtomicLong();
            for (int i = 0; i < writes; i++) {
                assertThat(gw.http("PUT", "/api/guilds/42", gw.privateToken,
                        "{\"n\":" + i + ",\"blob\":\"" + blob + "\"}").statusCode()).isEqualTo(200);
                maxSeen.accumulateAndGet(stats.queuedBytes(), Math::max);
                // Read as it comes: the bound is only four of these messages deep, and a busy machine
                // could otherwise leave the reading client that far behind a writer that never waits.
                JsonNode update = normal.next(Duration.ofSeconds(20));
                assertThat(update.path("code").asInt()).isEqualTo(10002);
                assertThat(update.path("data").path("guildData").path("n").asInt()).isEqualTo(i);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> stats.slowConsumers() == 1);
            // Each of the two sessions stays within its own bound.
            assertThat(maxSeen.get()).isLessThanOrEqualTo(2L * maxQueued);

            RawWebSocket.Frame close = slow.readUntilClose();
            if (close != null) {
                assertThat(close.closeCode()).isEqualTo(1008);
                assertThat(close.text()).isEqualTo("slow consumer");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> endOfStream(slow));
            await().atMost(Duration.ofSeconds(20)).until(() -> stats.queuedBytes() == 0
                    && gw.gateway.webSocket().sessionCount() == 1);

            normal.send(HEARTBEAT);
            assertThat(normal.next().path("code").asInt()).isEqualTo(10001);
        }
    }

    @Test
    void oversizedMessagesAreClosedWith1009WholeOrInFragments() throws Exception {
        gw = TestGateway.start(b -> b.set(MAX_MESSAGE_BYTES, 1024));
        try (WsTestClient whole = gw.connect()) {
            whole.socket().sendText("{\"code\":20001,\"pad\":\"" + "x".repeat(2000) + "\"}", true);
            assertThat(whole.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(1009);
        }
        try (RawWebSocket fragmented = RawWebSocket.connect(gw.gateway.wsPort(), gw.privateToken)) {
            byte[] part = new byte[600];
            java.util.Arrays.fill(part, (byte) ' ');
            fragmented.frame(RawWebSocket.TEXT, false, part);
            fragmented.frame(RawWebSocket.CONTINUATION, false, part);
            RawWebSocket.Frame close = fragmented.readUntilClose();
            assertThat(close).isNotNull();
            assertThat(close.closeCode()).isEqualTo(1009);
            assertThat(close.text()).isEqualTo("message larger than 1024 bytes");
        }
    }

    @Test
    void listenListsOverTheLimitAreClosedWith1008() {
        gw = TestGateway.start(b -> b.set(MAX_LISTEN_IDS, 3));
        try (WsTestClient client = gw.connect()) {
            client.send("{\"code\":20002,\"data\":{\"users\":[],\"guilds\":[\"1\",\"2\",\"3\"]}}");
            client.send(HEARTBEAT);
            assertThat(client.next().path("code").asInt()).isEqualTo(10001);
            client.send("{\"code\":20002,\"data\":{\"users\":[\"1\",\"2\",\"3\",\"4\"],\"guilds\":[]}}");
            WsTestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
            assertThat(close.code()).isEqualTo(1008);
            assertThat(close.reason()).isEqualTo("too many IDs in a listeners update (max 3 per list)");
        }
    }

    @Test
    void floodOfFramesIsClosedWithRateLimit() {
        gw = TestGateway.start(b -> b.set(MAX_MESSAGES_PER_SECOND, 5).set(MESSAGE_BURST, 20));
        try (WsTestClient flooder = gw.connect(); WsTestClient calm = gw.connect()) {
            for (int i = 0; i < 100 && !flooder.closed.isDone(); i++) {
                flooder.socket().sendText(HEARTBEAT, true);
            }
            WsTestClient.Close close = flooder.awaitClose(Duration.ofSeconds(10));
            assertThat(close.code()).isEqualTo(1008);
            assertThat(close.reason()).isEqualTo("rate limit exceeded");
            assertThat(gw.gateway.webSocket().stats().rateLimited()).isEqualTo(1);

            calm.send(HEARTBEAT);
            assertThat(calm.next().path("code").asInt()).isEqualTo(10001);
        }
    }

    @Test
    void pingsTakeFromTheFrameBudget() throws Exception {
        gw = TestGateway.start(b -> b.set(MAX_MESSAGES_PER_SECOND, 5).set(MESSAGE_BURST, 20));
        try (RawWebSocket pinger = RawWebSocket.connect(gw.gateway.wsPort(), gw.privateToken)) {
            for (int i = 0; i < 40; i++) {
                pinger.frame(RawWebSocket.PING, true, new byte[10]);
            }
            RawWebSocket.Frame close = pinger.readUntilClose();
            assertThat(close.closeCode()).isEqualTo(1008);
            assertThat(close.text()).isEqualTo("rate limit exceeded");
        }
    }

    @Test
    void pongsToAClientThatDoesNotReadCountAgainstTheQueueBound() throws Exception {
        gw = TestGateway.start(b -> b.set(MAX_QUEUED_BYTES, 64 * 1024)
                .set(MAX_MESSAGES_PER_SECOND, 1_000_000).set(MESSAGE_BURST, 1_000_000));
        WsStats stats = gw.gateway.webSocket().stats();
        try (RawWebSocket pinger = RawWebSocket.connect(gw.gateway.wsPort(), gw.privateToken, 4096)) {
            byte[] payload = new byte[125];
            try {
                // Up to ~16 MB of pongs, far beyond what the socket buffers hold, never read.
                for (int i = 0; i < 130_000 && stats.slowConsumers() == 0; i++) {
                    pinger.frame(RawWebSocket.PING, true, payload);
                }
            } catch (IOException closedMeanwhile) {
                // The server gave up on this client while it was still writing.
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> stats.slowConsumers() == 1);
        }
    }

    @Test
    void heartbeatsWithinTheRateKeepTheSessionOpen() throws InterruptedException {
        gw = TestGateway.start(b -> b.set(MAX_MESSAGES_PER_SECOND, 20).set(MESSAGE_BURST, 5));
        try (WsTestClient client = gw.connect()) {
            for (int i = 0; i < 15; i++) {
                client.send(HEARTBEAT);
                assertThat(client.next().path("code").asInt()).isEqualTo(10001);
                Thread.sleep(100);
            }
            assertThat(client.closed).isNotDone();
        }
    }

    @Test
    void connectionsBeyondTheLimitPerTokenAreRefusedWith429() {
        gw = TestGateway.start(b -> b.set(MAX_CONNECTIONS_PER_TOKEN, 2));
        String other = gw.mint(dev.felix.server.store.Scope.PRIVATE, "someone-else");
        try (WsTestClient a = gw.connect(); WsTestClient b = gw.connect()) {
            assertThat(WsTestClient.refusedStatus(gw.wsUri(), gw.privateToken)).isEqualTo(429);
            assertThat(gw.gateway.webSocket().stats().connectionLimitRefusals()).isEqualTo(1);
            // The limit is per token: another token still gets in.
            try (WsTestClient c = WsTestClient.connect(gw.wsUri(), other)) {
                c.send(HEARTBEAT);
                assertThat(c.next().path("code").asInt()).isEqualTo(10001);
            }
            a.close();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> WsTestClient.refusedStatus(gw.wsUri(), gw.privateToken) == 101);
        }
    }

    @Test
    void connectionThatNeverUpgradesIsClosedAfterTheHandshakeTimeout() throws Exception {
        gw = TestGateway.start(b -> b.set(HANDSHAKE_TIMEOUT, Duration.ofMillis(500)));
        try (RawWebSocket silent = RawWebSocket.open(gw.gateway.wsPort(), 0);
             RawWebSocket halfRequest = RawWebSocket.open(gw.gateway.wsPort(), 0);
             RawWebSocket upgraded = RawWebSocket.connect(gw.gateway.wsPort(), gw.privateToken)) {
            halfRequest.write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes());
            assertThat(endOfStream(silent)).isTrue();
            assertThat(endOfStream(halfRequest)).isTrue();
            assertThat(gw.gateway.webSocket().stats().handshakeTimeouts()).isEqualTo(2);

            // A session that upgraded in time is not affected by the deadline.
            Thread.sleep(1000);
            upgraded.text(HEARTBEAT);
            assertThat(upgraded.read().text()).contains("\"code\":10001");
        }
    }

    @Test
    void restConnectionThatGoesSilentIsClosedAfterTheIdleTimeout() throws Exception {
        gw = TestGateway.start(b -> b.set(HTTP_IDLE_TIMEOUT, Duration.ofMillis(3000)));
        int port = gw.gateway.httpPort();
        try (RawWebSocket silent = RawWebSocket.open(port, 0);
             RawWebSocket halfRequest = RawWebSocket.open(port, 0);
             RawWebSocket keptAlive = RawWebSocket.open(port, 0);
             RawWebSocket busy = RawWebSocket.open(port, 0)) {
            halfRequest.write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(getHealth(keptAlive)).startsWith("HTTP/1.1 200");
            // A connection in use is not cut however long it lives: a request every thirtieth of the timeout.
            for (int i = 0; i < 40; i++) {
                assertThat(getHealth(busy)).startsWith("HTTP/1.1 200");
                Thread.sleep(100);
            }
            assertThat(endOfStream(silent)).isTrue();
            assertThat(endOfStream(halfRequest)).isTrue();
            assertThat(endOfStream(keptAlive)).isTrue();
        }
    }

    @Test
    void aBodyIsNotReadForAWriteWithoutAPrivateToken() throws Exception {
        gw = TestGateway.start();
        for (String authorization : new String[]{"", "Authorization: Bearer fxp_unknown\r\n",
                "Authorization: Bearer " + gw.publicToken + "\r\n"}) {
            assertThat(headWithoutItsBody("PUT", authorization)).matches("(?s)HTTP/1.1 40[13] .*");
        }
        // Nothing but a write reads a body, whatever the token.
        String privateToken = "Authorization: Bearer " + gw.privateToken + "\r\n";
        assertThat(headWithoutItsBody("GET", "")).matches("(?s)HTTP/1.1 401 .*");
        assertThat(headWithoutItsBody("GET", privateToken)).matches("(?s)HTTP/1.1 404 .*");
        assertThat(headWithoutItsBody("DELETE", privateToken)).matches("(?s)HTTP/1.1 404 .*");
    }

    /** The answer to a request whose head announces a large body that never comes. */
    private String headWithoutItsBody(String method, String authorization) throws IOException {
        try (RawWebSocket connection = RawWebSocket.open(gw.gateway.httpPort(), 0)) {
            connection.write((method + " /api/guilds/1 HTTP/1.1\r\nHost: x\r\n" + authorization
                    + "Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return RawWebSocket.readHead(connection.input());
        }
    }

    /** One keep-alive request on a raw connection; returns the response head, body consumed. */
    private static String getHealth(RawWebSocket connection) throws IOException {
        connection.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String head = RawWebSocket.readHead(connection.input());
        Matcher length = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(head);
        assertThat(length.find()).as("Content-Length in %s", head).isTrue();
        connection.input().readNBytes(Integer.parseInt(length.group(1)));
        return head;
    }

    /** Blocks until the server ends the connection; false if it sent data instead. */
    private static boolean endOfStream(RawWebSocket ws) {
        try {
            byte[] buf = new byte[64 * 1024];
            while (true) {
                if (ws.input().read(buf) < 0) {
                    return true;
                }
            }
        } catch (EOFException | SocketException e) {
            return true;
        } catch (IOException e) {
            throw new AssertionError("connection still open", e);
        }
    }
}
