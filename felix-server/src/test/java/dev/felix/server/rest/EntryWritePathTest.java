package dev.felix.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.Wire;
import dev.felix.server.testing.RunningGateway;
import dev.felix.server.testing.TestGateway;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The minimal REST write path of the core gateway: entries by ID, Bearer tokens, JSON errors. */
@RunningGateway
class EntryWritePathTest {
    private static TestGateway gw;

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return Wire.mapper().readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    private static void assertError(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/json"));
        JsonNode body = json(response);
        List<String> fields = new java.util.ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactlyInAnyOrder("status", "error", "message");
        assertThat(body.get("status").intValue()).isEqualTo(status);
        assertThat(body.get("error").textValue()).isNotBlank();
        assertThat(body.get("message").textValue()).isNotBlank();
    }

    @Test
    void apiRootAnswers200() {
        assertThat(gw.http("GET", "/api", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void putReplacesAndAnswersTheStoredEntryThenGetReadsIt() {
        for (String kind : List.of("guilds", "users")) {
            String path = "/api/" + kind + "/31337";
            HttpResponse<String> first = gw.http("PUT", path, gw.privateToken, "{\"a\":1}");
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(json(first).get("a").intValue()).isEqualTo(1);

            HttpResponse<String> second = gw.http("PUT", path, gw.privateToken, "{\"b\":2}");
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(json(second).has("a")).isFalse();
            assertThat(json(second).get("b").intValue()).isEqualTo(2);

            HttpResponse<String> read = gw.http("GET", path, gw.publicToken, null);
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(json(read)).isEqualTo(json(second));
            assertThat(gw.http("GET", path, gw.privateToken, null).body()).isEqualTo(read.body());
        }
    }

    @Test
    void missingTokenIs401() {
        assertError(gw.http("GET", "/api/guilds/1", null, null), 401);
        assertError(gw.http("PUT", "/api/users/1", null, "{}"), 401);
    }

    @Test
    void wrongTokenIs403() {
        assertError(gw.http("GET", "/api/guilds/1", "fxp_not-a-real-token", null), 403);
        assertError(gw.http("PUT", "/api/guilds/1", gw.publicToken, "{\"a\":1}"), 403);
    }

    @Test
    void badBodyIs400() {
        assertError(gw.http("PUT", "/api/guilds/2", gw.privateToken, "not json"), 400);
        assertError(gw.http("PUT", "/api/guilds/2", gw.privateToken, "[1,2]"), 400);
        assertError(gw.http("PUT", "/api/users/2", gw.privateToken, "\"text\""), 400);
        assertError(gw.http("PUT", "/api/users/2", gw.privateToken, ""), 400);
        assertError(gw.http("PUT", "/api/users/2", gw.privateToken, "{\"id\":\"3\"}"), 400);
        assertError(gw.http("GET", "/api/users/not-a-snowflake", gw.privateToken, null), 400);
        assertThat(gw.http("GET", "/api/users/2", gw.privateToken, null).statusCode()).isEqualTo(404);
    }

    @Test
    void missingEntryIs404() {
        assertError(gw.http("GET", "/api/guilds/404404", gw.privateToken, null), 404);
        assertError(gw.http("GET", "/api/users/404404", gw.publicToken, null), 404);
    }
}
