package dev.felix.server.rest;

import dev.felix.server.testing.Http;
import dev.felix.server.testing.RunningGateway;
import dev.felix.server.testing.TestGateway;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static dev.felix.server.rest.EntryRoutesTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

/** If-Match and If-None-Match on reads and writes, as RFC 9110 §13 evaluates them. */
@RunningGateway
class ConditionalRequestsTest {
    private static TestGateway gw;

    private static HttpResponse<String> send(String method, String path, String body, String header, String value) {
        try {
            return Http.send(method, URI.create(gw.httpBase() + path), gw.privateToken,
                    body == null ? null : body.getBytes(StandardCharsets.UTF_8), Map.of(header, value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String put(String path, String body) {
        HttpResponse<String> response = gw.http("PUT", path, gw.privateToken, body);
        assertThat(response.statusCode()).isEqualTo(200);
        return response.headers().firstValue("ETag").orElseThrow();
    }

    @Test
    void aGetWhoseTagStillMatchesIs304WithoutABody() {
        String etag = put("/api/guilds/11", "{\"a\":1}");
        for (String tags : new String[] {etag, "W/" + etag, "\"0\", " + etag, "*"}) {
            HttpResponse<String> response = send("GET", "/api/guilds/11", null, "If-None-Match", tags);
            assertThat(response.statusCode()).as(tags).isEqualTo(304);
            assertThat(response.body()).isEmpty();
            assertThat(response.headers().firstValue("ETag")).hasValue(etag);
        }
        assertThat(send("HEAD", "/api/guilds/11", null, "If-None-Match", etag).statusCode()).isEqualTo(304);
        assertThat(send("GET", "/api/getGuildData/11", null, "If-None-Match", etag).statusCode())
                .as("the original path too").isEqualTo(304);

        String next = put("/api/guilds/11", "{\"a\":2}");
        HttpResponse<String> changed = send("GET", "/api/guilds/11", null, "If-None-Match", etag);
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(changed.body()).isEqualTo("{\"a\":2,\"id\":\"11\"}");
        assertThat(changed.headers().firstValue("ETag")).hasValue(next);
    }

    @Test
    void aGetThatFailsIfMatchIs412AndAMissingEntryStays404() {
        String etag = put("/api/guilds/12", "{}");
        assertThat(send("GET", "/api/guilds/12", null, "If-Match", etag).statusCode()).isEqualTo(200);
        assertError(send("GET", "/api/guilds/12", null, "If-Match", "\"0\""), 412);
        assertError(send("GET", "/api/guilds/12", null, "If-Match", "W/" + etag), 412);
        assertError(send("GET", "/api/guilds/13", null, "If-Match", "*"), 404);
        assertError(send("GET", "/api/guilds/13", null, "If-None-Match", "*"), 404);
        assertError(send("GET", "/api/guilds/12", null, "If-None-Match", "12"), 400);
    }

    @Test
    void ifMatchTakesAListAndComparesStrongly() {
        String etag = put("/api/users/21", "{\"v\":1}");
        assertError(send("PUT", "/api/users/21", "{\"v\":2}", "If-Match", "W/" + etag), 412);
        assertError(send("PUT", "/api/users/21", "{\"v\":2}", "If-Match", "\"0\", \"abc\""), 412);
        HttpResponse<String> listed = send("PUT", "/api/users/21", "{\"v\":2}", "If-Match", "\"0\" , " + etag + ",");
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        assertThat(gw.http("GET", "/api/users/21", gw.privateToken, null).body()).contains("\"v\":2");
    }

    @Test
    void putWithIfNoneMatchStarOnlyCreates() {
        HttpResponse<String> created = send("PUT", "/api/guilds/31", "{\"v\":1}", "If-None-Match", "*");
        assertThat(created.statusCode()).isEqualTo(200);
        assertError(send("PUT", "/api/guilds/31", "{\"v\":2}", "If-None-Match", "*"), 412);
        assertError(send("POST", "/api/postGuildData", "{\"id\":\"31\",\"v\":3}", "If-None-Match", "*"), 412);
        assertThat(gw.http("GET", "/api/guilds/31", gw.privateToken, null).body()).isEqualTo("{\"v\":1,\"id\":\"31\"}");
        assertThat(gw.http("DELETE", "/api/guilds/31", gw.privateToken, null).statusCode()).isEqualTo(204);
        assertThat(send("PUT", "/api/guilds/31", "{\"v\":4}", "If-None-Match", "*").statusCode())
                .as("a deleted entry can be created again").isEqualTo(200);
    }

    @Test
    void aWriteWhoseTagIfNoneMatchNamesIs412() {
        String etag = put("/api/guilds/32", "{\"v\":1}");
        assertError(send("PATCH", "/api/guilds/32", "{\"v\":2}", "If-None-Match", "W/" + etag), 412);
        assertError(send("DELETE", "/api/guilds/32", null, "If-None-Match", etag), 412);
        assertThat(send("PATCH", "/api/guilds/32", "{\"v\":3}", "If-None-Match", "\"0\"").statusCode()).isEqualTo(200);
    }

    @Test
    void ofConcurrentCreateOnlyWritesExactlyOneWins() {
        List<CompletableFuture<Integer>> writes = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            String body = "{\"writer\":" + i + "}";
            writes.add(CompletableFuture.supplyAsync(() ->
                    send("PUT", "/api/guilds/41", body, "If-None-Match", "*").statusCode()));
        }
        List<Integer> statuses = writes.stream().map(CompletableFuture::join).toList();
        assertThat(statuses).containsOnly(200, 412);
        assertThat(statuses.stream().filter(s -> s == 200).count()).isEqualTo(1);
    }
}
