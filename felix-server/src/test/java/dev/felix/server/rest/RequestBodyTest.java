package dev.felix.server.rest;

import dev.felix.server.testing.RunningGateway;
import dev.felix.server.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static dev.felix.server.rest.EntryRoutesTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

/** What a request body must be: JSON by its media type, not content-coded, well-formed UTF-8. */
@RunningGateway
class RequestBodyTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static TestGateway gw;

    /** A write with these headers (none when empty) and body bytes, through the JDK client. */
    private static HttpResponse<String> send(String method, String path, Map<String, String> headers, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.httpBase() + path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Authorization", "Bearer " + gw.privateToken);
        headers.forEach(b::header);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(String method, String path, String contentType, String body)
            throws IOException, InterruptedException {
        return send(method, path, contentType == null ? Map.of() : Map.of("Content-Type", contentType),
                body.getBytes(StandardCharsets.UTF_8));
    }

    private static int stored(String path) {
        return gw.http("GET", path, gw.privateToken, null).statusCode();
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/xml", "application/x-www-form-urlencoded", "",
            "application/merge-patch+json", "application/json; charset=iso-8859-1", "application/jsonx"})
    void aWriteThatIsNotJsonIs415AndStoresNothing(String type) throws Exception {
        String path = "/api/guilds/" + (500 + type.length());
        HttpResponse<String> response = send("PUT", path, type.isEmpty() ? null : type, "{\"a\":1}");
        assertError(response, 415);
        assertThat(response.headers().firstValue("Accept-Patch")).isEmpty();
        assertThat(stored(path)).isEqualTo(404);
    }

    @Test
    void everyWriteRouteChecksTheMediaType() throws Exception {
        assertError(send("POST", "/api/postGuildData", "text/plain", "{\"id\":\"601\"}"), 415);
        assertError(send("PUT", "/api/postUserData", null, "{\"id\":\"601\"}"), 415);
        assertError(send("PUT", "/api/status/r1", "text/plain", "{\"guildsCount\":1}"), 415);
        assertThat(stored("/api/guilds/601")).isEqualTo(404);
        assertThat(stored("/api/users/601")).isEqualTo(404);
    }

    @Test
    void jsonWithParametersAndMergePatchForPatchAreRead() throws Exception {
        assertThat(send("PUT", "/api/guilds/610", "Application/JSON; charset=UTF-8", "{\"a\":1}").statusCode())
                .isEqualTo(200);
        HttpResponse<String> patched = send("PATCH", "/api/guilds/610", "application/merge-patch+json", "{\"b\":2}");
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        assertThat(patched.body()).isEqualTo("{\"a\":1,\"id\":\"610\",\"b\":2}");
        assertThat(send("PATCH", "/api/guilds/610", "application/json", "{\"c\":3}").statusCode()).isEqualTo(200);
    }

    @Test
    void aPatchRefusedForItsMediaTypeSaysWhichItAccepts() throws Exception {
        assertThat(send("PUT", "/api/guilds/620", "application/json", "{}").statusCode()).isEqualTo(200);
        HttpResponse<String> response = send("PATCH", "/api/guilds/620", "text/plain", "{\"a\":1}");
        assertError(response, 415);
        assertThat(response.headers().firstValue("Accept-Patch")).hasValue("application/merge-patch+json, application/json");
    }

    @Test
    void aContentCodedBodyIs415() throws Exception {
        HttpResponse<String> response = send("PUT", "/api/guilds/630",
                Map.of("Content-Type", "application/json", "Content-Encoding", "gzip"),
                "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        assertError(response, 415);
        assertThat(stored("/api/guilds/630")).isEqualTo(404);
    }

    @Test
    void aWriteWithoutABodyIsRefusedForTheMissingBody() throws Exception {
        HttpResponse<String> response = send("PUT", "/api/guilds/640", Map.of(), new byte[0]);
        assertError(response, 400);
    }

    /** Bytes of a JSON object whose string value holds {@code middle}. */
    private static byte[] objectWith(byte... middle) {
        byte[] start = "{\"path\":\"a".getBytes(StandardCharsets.US_ASCII);
        byte[] end = "b\"}".getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[start.length + middle.length + end.length];
        System.arraycopy(start, 0, out, 0, start.length);
        System.arraycopy(middle, 0, out, start.length, middle.length);
        System.arraycopy(end, 0, out, start.length + middle.length, end.length);
        return out;
    }

    @Test
    void overlongAndOtherIllFormedUtf8AreRefusedAlike() throws Exception {
        Map<String, String> json = Map.of("Content-Type", "application/json");
        byte[][] illFormed = {
                {(byte) 0xC0, (byte) 0xAF},                          // overlong '/'
                {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},             // overlong '/', three bytes
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80},             // an encoded surrogate
                {(byte) 0xFF},
        };
        for (byte[] bytes : illFormed) {
            HttpResponse<String> response = send("PUT", "/api/guilds/650", json, objectWith(bytes));
            assertError(response, 400);
            assertThat(response.body()).contains("UTF-8");
        }
        assertThat(stored("/api/guilds/650")).isEqualTo(404);
        HttpResponse<String> ok = send("PUT", "/api/guilds/650", json, objectWith((byte) 0xC3, (byte) 0xA9));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("{\"path\":\"aéb\",\"id\":\"650\"}");
    }

    @Test
    void utf16BodiesAreStillRead() throws Exception {
        HttpResponse<String> response = send("PUT", "/api/guilds/660", Map.of("Content-Type", "application/json"),
                "{\"a\":\"é\"}".getBytes(StandardCharsets.UTF_16BE));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"a\":\"é\",\"id\":\"660\"}");
    }
}
