package dev.felix.client;

import dev.felix.protocol.ClientMessage;
import dev.felix.protocol.EntryKind;
import dev.felix.protocol.Wire;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the client sends (handshake headers, the resume request after a reconnect) and how it treats a
 * server that goes silent. The
 * gateway's own answer to {@code since} (the resume extension) is the server's to test, and the
 * gateway never goes silent on purpose; here a bare WebSocket server that records the client's frames
 * and answers nothing shows them.
 */
class ClientWireTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Vertx vertx = Vertx.vertx();
    private final List<ServerWebSocket> sockets = new CopyOnWriteArrayList<>();
    private final List<List<ClientMessage.ListenersUpdate>> listenFrames = new CopyOnWriteArrayList<>();
    private FelixClient client;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private int startRecorder() throws Exception {
        HttpServer server = vertx.createHttpServer().webSocketHandler(ws -> {
            List<ClientMessage.ListenersUpdate> frames = new CopyOnWriteArrayList<>();
            listenFrames.add(frames);
            sockets.add(ws);
            ws.textMessageHandler(text -> {
                if (Wire.decodeClient(text) instanceof ClientMessage.ListenersUpdate update) {
                    frames.add(update);
                }
            });
        });
        return server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    }

    private static String update(String id, long seq) {
        return new String(Wire.encodeEntryUpdate(EntryKind.GUILD, id, "{\"id\":\"" + id + "\"}", seq),
                StandardCharsets.UTF_8);
    }

    @Test
    void afterAReconnectTheSetsGoOutAgainWithTheHighestSeqSeen() throws Exception {
        int port = startRecorder();
        Recorder recorder = new Recorder();
        client = FelixClient.builder().url("ws://127.0.0.1:" + port).token("fxp_any").userAgent("My dashboard")
                .heartbeatInterval(Duration.ofMillis(100))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .silenceTimeout(Duration.ofMinutes(5))
                .addListener(recorder).build();
        client.listen(List.of("300"), List.of("100"));

        await().atMost(WAIT).until(() -> !listenFrames.isEmpty() && !listenFrames.get(0).isEmpty());
        ClientMessage.ListenersUpdate first = listenFrames.get(0).get(0);
        assertThat(first.since()).isNull();
        assertThat(first.guilds()).containsExactly("100");

        ServerWebSocket ws = sockets.get(0);
        assertThat(ws.headers().getAll("Authorization")).containsExactly("fxp_any");
        assertThat(ws.headers().getAll("User-Agent")).containsExactly("My dashboard");
        ws.writeTextMessage(update("100", 9)).await(10, TimeUnit.SECONDS);
        ws.writeTextMessage(update("100", 5)).await(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> recorder.guilds.size() == 2);
        ws.close((short) 1001, "going away").await(10, TimeUnit.SECONDS);

        await().atMost(WAIT).until(() -> listenFrames.size() == 2 && !listenFrames.get(1).isEmpty());
        ClientMessage.ListenersUpdate resumed = listenFrames.get(1).get(0);
        assertThat(resumed.since()).isEqualTo(9);
        assertThat(resumed.users()).containsExactly("300");
        assertThat(resumed.guilds()).containsExactly("100");

        // A new choice of sets is a fresh start, not a resume.
        client.listen(List.of(), List.of("200"));
        await().atMost(WAIT).until(() -> listenFrames.get(1).size() == 2);
        assertThat(listenFrames.get(1).get(1).since()).isNull();
        assertThat(listenFrames.get(1).get(1).guilds()).containsExactly("200");
    }

    @Test
    void aServerThatSaysNothingIsDroppedAndConnectedAgain() throws Exception {
        int port = startRecorder();
        Recorder recorder = new Recorder();
        client = FelixClient.builder().url("ws://127.0.0.1:" + port).token("fxp_any")
                .heartbeatInterval(Duration.ofMillis(100))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .silenceTimeout(Duration.ofMillis(500))
                .addListener(recorder).build();

        await().atMost(WAIT).until(() -> sockets.size() >= 2);
        assertThat(recorder.causes).anySatisfy(cause -> assertThat(cause).isInstanceOf(TimeoutException.class)
                .hasMessageContaining("no message from the server"));
        assertThat(recorder.states).containsSubsequence(ConnectionState.CONNECTED, ConnectionState.DISCONNECTED,
                ConnectionState.CONNECTING);
    }
}
