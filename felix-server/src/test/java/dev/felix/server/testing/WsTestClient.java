package dev.felix.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.Wire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real WebSocket client for tests (the JDK's): collects text messages in a queue and records
 * how the connection closed.
 */
public final class WsTestClient implements AutoCloseable, WebSocket.Listener {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    /** The close code and reason the server sent, or code -1 when the connection just dropped. */
    public final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket ws;

    public record Close(int code, String reason) {
    }

    private WsTestClient() {
    }

    public static WsTestClient connect(URI uri, String authorization) {
        try {
            return tryConnect(uri, authorization).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("connect failed", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("connect failed: " + e.getCause(), e.getCause());
        }
    }

    /** Connects with a User-Agent header, so the server's log lines can be told apart. */
    public static WsTestClient connect(URI uri, String authorization, String userAgent) {
        WsTestClient client = new WsTestClient();
        try {
            return HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .header("Authorization", authorization).header("User-Agent", userAgent)
                    .buildAsync(uri, client).thenApply(ws -> {
                        client.ws = ws;
                        return client;
                    }).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("connect failed", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("connect failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Connects, offering these subprotocols (most preferred first); the future fails with a
     * {@link WebSocketHandshakeException} when the server refuses.
     */
    public static CompletableFuture<WsTestClient> tryConnect(URI uri, String authorization, String... subprotocols) {
        WsTestClient client = new WsTestClient();
        WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (subprotocols.length > 0) {
            b.subprotocols(subprotocols[0], Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        return b.buildAsync(uri, client).thenApply(ws -> {
            client.ws = ws;
            return client;
        });
    }

    /** The HTTP status of a refused handshake. */
    public static int refusedStatus(URI uri, String authorization, String... subprotocols) {
        try {
            tryConnect(uri, authorization, subprotocols).get(10, TimeUnit.SECONDS).close();
            return 101;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                return h.getResponse().statusCode();
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    public void send(String text) {
        ws.sendText(text, true).join();
    }

    public WebSocket socket() {
        return ws;
    }

    /** The next message as JSON, failing the test when none comes in time. */
    public JsonNode next(Duration timeout) {
        try {
            String text = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (text == null) {
                throw new AssertionError("no message within " + timeout);
            }
            return Wire.mapper().readTree(text);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public JsonNode next() {
        return next(Duration.ofSeconds(10));
    }

    /**
     * Sends a heartbeat and returns every message that came before its ACK. As the server handles a
     * session's messages in order, this proves all earlier messages were processed and the socket is open.
     */
    public List<JsonNode> sync() {
        send("{\"code\":20001}");
        List<JsonNode> before = new ArrayList<>();
        while (true) {
            JsonNode message = next();
            if (message.path("code").asInt() == 10001) {
                return before;
            }
            before.add(message);
        }
    }

    /** The close the server made, failing when the connection is still open after the timeout. */
    public Close awaitClose(Duration timeout) {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("connection not closed within " + timeout, e);
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            messages.add(partial.toString());
            partial.setLength(0);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(new Close(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(new Close(-1, String.valueOf(error)));
    }

    @Override
    public void close() {
        if (ws != null && !ws.isOutputClosed()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(2, TimeUnit.SECONDS).exceptionally(e -> null);
        }
        if (ws != null) {
            ws.abort();
        }
    }
}
