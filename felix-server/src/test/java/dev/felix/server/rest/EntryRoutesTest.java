package dev.felix.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.Wire;
import dev.felix.server.store.EntryJson;
import dev.felix.server.testing.Http;
import dev.felix.server.testing.RunningGateway;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@RunningGateway("max-body-bytes=4096")
class EntryRoutesTest {
    private TestGateway gw;

    private HttpResponse<String> call(String method, String path, String body) {
        return gw.http(method, path, gw.privateToken, body);
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return Wire.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertError(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = json(response);
        assertThat(body.path("status").asInt()).isEqualTo(status);
        assertThat(body.path("error").asText()).isNotBlank();
        assertThat(body.path("message").asText()).isNotBlank();
    }

    /** Sends a request with an If-Match header. */
    private HttpResponse<String> withIfMatch(String method, String path, String ifMatch, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(gw.httpBase() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + gw.privateToken)
                .header("If-Match", ifMatch)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static WsTestClient listening(TestGateway gw, String users, String guilds) {
        WsTestClient client = gw.connect();
        client.send("{\"code\":20002,\"data\":{\"users\":[" + users + "],\"guilds\":[" + guilds + "]}}");
        // A heartbeat round trip proves the listeners update was processed before any write.
        client.send("{\"code\":20001}");
        assertThat(client.next().path("code").asInt()).isEqualTo(10001);
        return client;
    }

    @ParameterizedTest
    @ValueSource(strings = {"guilds", "users"})
    void putThenGetReturnsTheEntryWithItsIdAndETag(String kind) {
        HttpResponse<String> put = call("PUT", "/api/" + kind + "/42", "{\"prefix\":\"!\"}");
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(json(put).path("id").asText()).isEqualTo("42");
        String etag = put.headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> get = call("GET", "/api/" + kind + "/42", null);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(json(get)).isEqualTo(json(put));
        assertThat(get.headers().firstValue("ETag")).hasValue(etag);
    }

    @ParameterizedTest
    @ValueSource(strings = {"guilds", "users"})
    void getOfAMissingEntryIs404(String kind) {
        assertError(call("GET", "/api/" + kind + "/7", null), 404);
    }

    @Test
    void putReplacesTheWholeEntry() {
        call("PUT", "/api/guilds/1", "{\"a\":1,\"b\":2}");
        call("PUT", "/api/guilds/1", "{\"b\":3}");
        assertThat(json(call("GET", "/api/guilds/1", null)).toString()).isEqualTo("{\"b\":3,\"id\":\"1\"}");
    }

    @Test
    void patchMergesAndReachesListeners() {
        call("PUT", "/api/users/5", "{\"name\":\"x\",\"prefs\":{\"lang\":\"fr\",\"tz\":\"CET\"},\"old\":true}");
        try (WsTestClient listener = listening(gw, "\"5\"", "")) {
            HttpResponse<String> patch = call("PATCH", "/api/users/5", "{\"prefs\":{\"tz\":null,\"dark\":true},\"old\":null}");
            assertThat(patch.statusCode()).as(patch.body()).isEqualTo(200);
            JsonNode expected = json("{\"name\":\"x\",\"prefs\":{\"lang\":\"fr\",\"dark\":true},\"id\":\"5\"}");
            assertThat(json(patch)).isEqualTo(expected);
            assertThat(json(call("GET", "/api/users/5", null))).isEqualTo(expected);

            JsonNode update = listener.next();
            assertThat(update.path("code").asInt()).isEqualTo(10003);
            assertThat(update.path("data").path("userID").asText()).isEqualTo("5");
            assertThat(update.path("data").path("userData")).isEqualTo(expected);
        }
    }

    @Test
    void patchRefusesANullIdLikePut() {
        call("PUT", "/api/guilds/9", "{\"a\":1}");
        assertError(call("PUT", "/api/guilds/9", "{\"id\":null}"), 400);
        assertError(call("PATCH", "/api/guilds/9", "{\"id\":null,\"a\":null}"), 400);
        assertThat(json(call("GET", "/api/guilds/9", null)).toString()).isEqualTo("{\"a\":1,\"id\":\"9\"}");
        assertThat(json(call("PATCH", "/api/guilds/9", "{\"id\":\"9\",\"a\":null}")).toString())
                .isEqualTo("{\"id\":\"9\"}");
    }

    @Test
    void patchOfAMissingEntryIs404() {
        assertError(call("PATCH", "/api/guilds/404", "{\"a\":1}"), 404);
        assertError(call("GET", "/api/guilds/404", null), 404);
    }

    @Test
    void deleteAnswers204AndListenersGetNullData() {
        call("PUT", "/api/guilds/77", "{\"a\":1}");
        try (WsTestClient listener = listening(gw, "", "\"77\"")) {
            HttpResponse<String> delete = call("DELETE", "/api/guilds/77", null);
            assertThat(delete.statusCode()).isEqualTo(204);
            assertThat(delete.body()).isEmpty();

            JsonNode update = listener.next();
            assertThat(update.path("code").asInt()).isEqualTo(10002);
            assertThat(update.path("data").path("guildID").asText()).isEqualTo("77");
            assertThat(update.path("data").has("guildData")).isTrue();
            assertThat(update.path("data").path("guildData").isNull()).isTrue();
        }
        assertError(call("GET", "/api/guilds/77", null), 404);
        assertError(call("DELETE", "/api/guilds/77", null), 404);
        assertThat(call("PUT", "/api/guilds/77", "{\"b\":2}").statusCode()).isEqualTo(200);
    }

    @Test
    void deleteOfAMissingUserIs404() {
        assertError(call("DELETE", "/api/users/123", null), 404);
    }

    @Test
    void ifMatchGuardsEveryWrite() {
        String etag = call("PUT", "/api/guilds/3", "{\"v\":1}").headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> put = withIfMatch("PUT", "/api/guilds/3", etag, "{\"v\":2}");
        assertThat(put.statusCode()).isEqualTo(200);
        String next = put.headers().firstValue("ETag").orElseThrow();
        assertThat(next).isNotEqualTo(etag);

        assertError(withIfMatch("PUT", "/api/guilds/3", etag, "{\"v\":3}"), 412);
        assertError(withIfMatch("PATCH", "/api/guilds/3", etag, "{\"v\":3}"), 412);
        assertError(withIfMatch("DELETE", "/api/guilds/3", etag, null), 412);
        assertThat(json(call("GET", "/api/guilds/3", null)).path("v").asInt()).isEqualTo(2);

        assertError(withIfMatch("PATCH", "/api/guilds/3", "W/" + next, "{\"v\":4}"), 412);
        HttpResponse<String> patch = withIfMatch("PATCH", "/api/guilds/3", "\"1\", " + next, "{\"v\":4}");
        assertThat(patch.statusCode()).isEqualTo(200);
        assertThat(withIfMatch("DELETE", "/api/guilds/3", patch.headers().firstValue("ETag").orElseThrow(), null)
                .statusCode()).isEqualTo(204);
    }

    @Test
    void ifMatchStarNeedsAnExistingEntry() {
        assertError(withIfMatch("PUT", "/api/users/8", "*", "{\"v\":1}"), 412);
        call("PUT", "/api/users/8", "{\"v\":1}");
        assertThat(withIfMatch("PUT", "/api/users/8", "*", "{\"v\":2}").statusCode()).isEqualTo(200);
    }

    @Test
    void malformedIfMatchIs400() {
        call("PUT", "/api/users/8", "{\"v\":1}");
        for (String malformed : new String[] {"abc", "12", "\"12", "W/12", "\"1\" \"2\"", ","}) {
            assertError(withIfMatch("PUT", "/api/users/8", malformed, "{\"v\":2}"), 400);
        }
        assertError(withIfMatch("PUT", "/api/users/8", "\"abc\"", "{\"v\":2}"), 412);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "123456789012345678901", "-1", "1.5"})
    void idsThatAreNotSnowflakesAre400(String id) {
        assertError(call("GET", "/api/guilds/" + id, null), 400);
        assertError(call("PUT", "/api/guilds/" + id, "{}"), 400);
        assertError(call("PATCH", "/api/users/" + id, "{}"), 400);
        assertError(call("DELETE", "/api/users/" + id, null), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1,2]", "\"text\"", "42", "null", "{not json", ""})
    void bodiesThatAreNotObjectsAre400(String body) {
        assertError(call("PUT", "/api/guilds/1", body), 400);
        assertError(call("PATCH", "/api/guilds/1", body), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"v\":1}{\"w\":2}",
            "{\"v\":1} trailing",
            "{\"v\":1}]",
            "{\"v\":\"\\ud800\"}",
            "{\"\\udc00\":1}",
            "{\"v\":\"a\\u0000b\"}",
            "{\"v\":1e400}",
            "{\"v\":[-1e400]}"})
    void jsonThatCannotBeStoredAndSentAsItCameIs400AndWritesNothing(String body) {
        assertError(call("PUT", "/api/guilds/1", body), 400);
        assertError(call("POST", "/api/postGuildData", body.replace("{", "{\"id\":\"1\",")), 400);
        call("PUT", "/api/guilds/1", "{\"v\":0}");
        assertError(call("PATCH", "/api/guilds/1", body), 400);
        assertThat(json(call("GET", "/api/guilds/1", null)).path("v").asInt()).isZero();
        call("DELETE", "/api/guilds/1", null);
    }

    @Test
    void aBodyThatIsNotUtf8Is400() throws IOException {
        byte[] body = {'{', '"', 'v', '"', ':', '"', (byte) 0xff, '"', '}'};
        assertError(Http.send("PUT", URI.create(gw.httpBase() + "/api/guilds/1"), gw.privateToken, body), 400);
        assertError(call("GET", "/api/guilds/1", null), 404);
    }

    @Test
    void surrogatePairsAndLargeIntegersAreKept() {
        HttpResponse<String> put = call("PUT", "/api/guilds/1", "{\"v\":\"\\ud83d\\ude00\",\"n\":123456789012345678901234567890}");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(json(put).path("v").asText()).isEqualTo("\uD83D\uDE00");
        assertThat(put.body()).contains("123456789012345678901234567890");
    }

    @Test
    void entriesNestAtMost100Levels() {
        String deepest = "{\"a\":".repeat(EntryJson.MAX_DEPTH - 1) + "[1]" + "}".repeat(EntryJson.MAX_DEPTH - 1);
        assertThat(call("PUT", "/api/guilds/1", deepest).statusCode()).isEqualTo(200);
        String deeper = "{\"a\":".repeat(EntryJson.MAX_DEPTH) + "[1]" + "}".repeat(EntryJson.MAX_DEPTH);
        assertError(call("PUT", "/api/guilds/1", deeper), 400);
        assertError(call("PATCH", "/api/guilds/1", deeper), 400);
    }

    @Test
    void anIdFieldMustEqualThePathId() {
        assertError(call("PUT", "/api/guilds/1", "{\"id\":\"2\"}"), 400);
        assertError(call("PUT", "/api/guilds/1", "{\"id\":1}"), 400);
        call("PUT", "/api/guilds/1", "{\"id\":\"1\"}");
        assertError(call("PATCH", "/api/guilds/1", "{\"id\":\"2\"}"), 400);
        assertThat(call("PUT", "/api/guilds/1", "{\"id\":\"1\",\"x\":0}").statusCode()).isEqualTo(200);
    }

    @Test
    void bodiesOverTheConfiguredSizeAre413() {
        String big = "{\"x\":\"" + "a".repeat(5000) + "\"}";
        assertError(call("PUT", "/api/guilds/1", big), 413);
        assertError(call("PATCH", "/api/guilds/1", big), 413);
    }

    @ParameterizedTest
    @ValueSource(strings = {"guilds", "users"})
    void batchReadReturnsExistingEntriesOrderedById(String kind) {
        call("PUT", "/api/" + kind + "/30", "{}");
        call("PUT", "/api/" + kind + "/10", "{}");
        call("PUT", "/api/" + kind + "/20", "{}");
        HttpResponse<String> batch = call("GET", "/api/" + kind + "?ids=30,10,99", null);
        assertThat(batch.statusCode()).isEqualTo(200);
        assertThat(batch.body()).isEqualTo("[{\"id\":\"10\"},{\"id\":\"30\"}]");
        assertError(call("GET", "/api/" + kind + "?ids=10,x", null), 400);
        assertError(call("GET", "/api/" + kind + "?ids=10&limit=2", null), 400);
    }

    @Test
    void batchReadTakesAtMost1000Ids() {
        StringBuilder ids = new StringBuilder("1");
        for (int i = 2; i <= 1001; i++) {
            ids.append(',').append(i);
        }
        assertError(call("GET", "/api/guilds?ids=" + ids, null), 400);
    }

    @Test
    void listingPagesThroughEntriesOrderedById() {
        for (String id : new String[]{"15", "11", "13", "12", "14"}) {
            call("PUT", "/api/users/" + id, "{}");
        }
        call("DELETE", "/api/users/13", null);
        assertThat(call("GET", "/api/users", null).body())
                .isEqualTo("[{\"id\":\"11\"},{\"id\":\"12\"},{\"id\":\"14\"},{\"id\":\"15\"}]");
        assertThat(call("GET", "/api/users?limit=2", null).body()).isEqualTo("[{\"id\":\"11\"},{\"id\":\"12\"}]");
        assertThat(call("GET", "/api/users?after=12&limit=2", null).body()).isEqualTo("[{\"id\":\"14\"},{\"id\":\"15\"}]");
        assertThat(call("GET", "/api/users?after=15", null).body()).isEqualTo("[]");
        assertThat(call("GET", "/api/users?limit=1000", null).statusCode()).isEqualTo(200);
    }

    @Test
    void listingHasADefaultPageOf100() {
        for (int i = 100; i < 205; i++) {
            call("PUT", "/api/guilds/" + i, "{}");
        }
        JsonNode page = json(call("GET", "/api/guilds", null));
        assertThat(page).hasSize(100);
        assertThat(page.get(0).path("id").asText()).isEqualTo("100");
        assertThat(page.get(99).path("id").asText()).isEqualTo("199");
        assertThat(json(call("GET", "/api/guilds?after=199", null))).hasSize(5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"limit=0", "limit=1001", "limit=x", "after=abc"})
    void badListingParametersAre400(String query) {
        assertError(call("GET", "/api/guilds?" + query, null), 400);
    }

    @Test
    void unknownRoutesAre404WithAJsonBody() {
        assertError(call("GET", "/api/nothing", null), 404);
        assertError(call("GET", "/api/guilds/1/more", null), 404);
        assertError(call("GET", "/nothing", null), 404);
        assertError(call("GET", "/API/guilds/1", null), 404);
    }

    @Test
    void writesOutsideTheApiAre405WithAJsonBody() {
        for (String path : List.of("/", "/config.json", "/healthz")) {
            HttpResponse<String> put = call("PUT", path, "{}");
            assertError(put, 405);
            assertThat(put.headers().firstValue("Allow")).hasValue("GET, HEAD");
        }
    }

    @Test
    void headAnswersAsGetWithoutTheBody() {
        call("PUT", "/api/guilds/5", "{\"v\":1}");
        for (String path : List.of("/api/guilds/5", "/api", "/api/status", "/healthz", "/metrics", "/config.json")) {
            HttpResponse<String> head = call("HEAD", path, null);
            assertThat(head.statusCode()).as(path).isEqualTo(200);
            assertThat(head.body()).as(path).isEmpty();
        }
        assertThat(call("HEAD", "/api/guilds/5", null).headers().firstValue("ETag")).isPresent();
        assertThat(call("HEAD", "/api/guilds/6", null).statusCode()).isEqualTo(404);
    }

    @Test
    void theStatusPageMayConnectOnlyToTheSocketPortWhenOpenedByName() throws IOException {
        int port = gw.gateway.wsPort();
        HttpResponse<String> byName = Http.send("GET", URI.create("http://localhost:" + gw.gateway.httpPort() + "/"),
                null, (String) null);
        assertThat(byName.statusCode()).isEqualTo(200);
        assertThat(byName.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp)
                .contains("connect-src 'self' ws://*:" + port + " wss://*:" + port + ";"));
        // By IP address: a source's * matches host names only, so the page may connect anywhere.
        HttpResponse<String> byAddress = call("GET", "/", null);
        assertThat(byAddress.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp)
                .contains("connect-src 'self' ws: wss:;"));
    }

    @Test
    void aThousandSnowflakesFitInOneBatchRead() {
        call("PUT", "/api/guilds/100000000000000999", "{}");
        StringBuilder ids = new StringBuilder();
        StringBuilder quoted = new StringBuilder();
        for (long i = 0; i < 1000; i++) {
            ids.append(i == 0 ? "" : ",").append(100_000_000_000_000_000L + i);
            quoted.append(i == 0 ? "" : ",").append("%22").append(100_000_000_000_000_000L + i).append("%22");
        }
        HttpResponse<String> batch = call("GET", "/api/guilds?ids=" + ids, null);
        assertThat(batch.statusCode()).as(batch.body()).isEqualTo(200);
        assertThat(json(batch)).hasSize(1);
        HttpResponse<String> legacy = call("GET", "/api/getGuildData/%5B" + quoted + "%5D", null);
        assertThat(legacy.statusCode()).as(legacy.body()).isEqualTo(200);
    }

    @Test
    void aRequestLineBeyondTheLimitIs414WithAJsonBody() {
        assertError(call("GET", "/api/guilds/" + "1".repeat(70_000), null), 414);
    }

    @Test
    void otherMethodsOnKnownPathsAre405WithAllow() {
        HttpResponse<String> post = call("POST", "/api/guilds/1", "{}");
        assertError(post, 405);
        assertThat(post.headers().firstValue("Allow")).hasValue("DELETE, GET, HEAD, PATCH, PUT");
        HttpResponse<String> delete = call("DELETE", "/api/users", null);
        assertError(delete, 405);
        assertThat(delete.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void rootAnswers() {
        assertThat(gw.http("GET", "/api", null, null).statusCode()).isEqualTo(200);
    }

    private static JsonNode json(String text) {
        try {
            return Wire.mapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
