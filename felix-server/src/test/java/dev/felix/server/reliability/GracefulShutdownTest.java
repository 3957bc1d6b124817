package dev.felix.server.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.Wire;
import dev.felix.server.testing.RawWebSocket;
import dev.felix.server.testing.ServeProcess;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class GracefulShutdownTest {

    @Test
    void sigtermFinishesTheInFlightWriteClosesSocketsWith1001AndExitsZeroWithinTenSeconds(@TempDir Path dir) throws Exception {
        String token;
        try (ServeProcess server = ServeProcess.start(dir)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> server.mintedToken() != null);
            token = server.mintedToken();
            WsTestClient client = WsTestClient.connect(server.wsUri(), token);
            client.send("{\"code\":20001}");
            assertThat(client.next().path("code").asInt()).isEqualTo(10001);
            // A client that never reads or answers the close frame must not hold up the exit.
            RawWebSocket deaf = RawWebSocket.connect(server.wsPort, token, 4096);

            byte[] body = "{\"inflight\":true,\"pad\":\"".concat("q".repeat(4000)).concat("\"}")
                    .getBytes(StandardCharsets.UTF_8);
            try (Socket http = new Socket()) {
                http.connect(new InetSocketAddress("127.0.0.1", server.httpPort), 5000);
                http.setSoTimeout(15_000);
                OutputStream out = http.getOutputStream();
                out.write(("PUT /api/guilds/777 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body, 0, 100);
                out.flush();
                // Give the server time to read the head, so the request is in flight at the signal (a head
                // read after it is answered 503, as the other test shows); generous for a loaded machine.
                Thread.sleep(2000);

                long signalled = System.nanoTime();
                server.sigterm();
                WsTestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
                assertThat(close.code()).isEqualTo(1001);

                out.write(body, 100, body.length - 100);
                out.flush();
                String response = readResponse(http.getInputStream());
                assertThat(response).startsWith("HTTP/1.1 200");

                assertThat(server.process.waitFor(15, TimeUnit.SECONDS)).isTrue();
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
                assertThat(server.process.exitValue()).isZero();
                assertThat(tookMs).isLessThanOrEqualTo(10_000);
            } finally {
                deaf.close();
            }
        }

        try (ServeProcess restarted = ServeProcess.start(dir)) {
            HttpResponse<String> r = restarted.http("GET", "/api/guilds/777", token, null);
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode doc = Wire.mapper().readTree(r.body());
            assertThat(doc.path("inflight").asBoolean()).isTrue();
            assertThat(doc.path("pad").asText()).hasSize(4000);
        }
    }

    /** A kept-alive REST client that keeps sending through SIGTERM is answered every time, never reset. */
    @Test
    void requestsOnAKeptAliveConnectionAfterSigtermAre503WithConnectionClose(@TempDir Path dir) throws Exception {
        try (ServeProcess server = ServeProcess.start(dir)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> server.mintedToken() != null);
            try (Socket http = new Socket()) {
                http.connect(new InetSocketAddress("127.0.0.1", server.httpPort), 5000);
                http.setSoTimeout(15_000);
                OutputStream out = http.getOutputStream();
                InputStream in = http.getInputStream();
                byte[] request = "GET /api HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                out.write(request);
                assertThat(readWholeResponse(in)).startsWith("HTTP/1.1 200");

                server.sigterm();
                String answer;
                do {
                    Thread.sleep(5);
                    out.write(request);
                    out.flush();
                    answer = readWholeResponse(in);
                    assertThat(answer).as("every request is answered").isNotNull();
                } while (answer.startsWith("HTTP/1.1 200"));
                assertThat(answer).startsWith("HTTP/1.1 503").containsIgnoringCase("connection: close")
                        .contains("\"message\":\"the gateway is shutting down\"");
                assertThat(in.read()).as("closed after the 503").isEqualTo(-1);
            }
            assertThat(server.process.waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat(server.process.exitValue()).isZero();
        }
    }

    /** One response, head and Content-Length body; null when the connection ended before it. */
    private static String readWholeResponse(InputStream in) throws IOException {
        String head = readResponse(in);
        if (!head.endsWith("\r\n\r\n")) {
            return null;
        }
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            if (head.size() >= 4 && head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                break;
            }
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
