package dev.felix.server.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** One REST call as tests make it, shared by the in-process and the child-process gateway. */
public final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {
    }

    /** {@code token} null sends no Authorization, {@code body} null sends none. */
    public static HttpResponse<String> send(String method, URI uri, String token, String body) throws IOException {
        return send(method, uri, token, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    /** As {@link #send(String, URI, String, String)}, with the body's bytes as they are. */
    public static HttpResponse<String> send(String method, URI uri, String token, byte[] body) throws IOException {
        return send(method, uri, token, body, Map.of());
    }

    /** As {@link #send(String, URI, String, byte[])}, with more headers. */
    public static HttpResponse<String> send(String method, URI uri, String token, byte[] body,
                                            Map<String, String> headers) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        try {
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
