package dev.felix.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.server.testing.RunningGateway;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;

import static dev.felix.server.rest.EntryRoutesTest.assertError;
import static dev.felix.server.rest.EntryRoutesTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/** The original Felix paths, for guilds and users alike. */
@RunningGateway
class LegacyRoutesTest {
    private TestGateway gw;

    private HttpResponse<String> call(String method, String path, String body) {
        return gw.http(method, path, gw.privateToken, body);
    }

    @ParameterizedTest
    @CsvSource({"Guild, guilds", "User, users"})
    void getDataReadsOneEntry(String name, String plural) {
        call("PUT", "/api/" + plural + "/12", "{\"a\":1}");
        HttpResponse<String> one = call("GET", "/api/get" + name + "Data/12", null);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(one.body()).isEqualTo("{\"a\":1,\"id\":\"12\"}");
        assertThat(one.headers().firstValue("ETag")).isPresent();
        assertError(call("GET", "/api/get" + name + "Data/13", null), 404);
        assertError(call("GET", "/api/get" + name + "Data/abc", null), 400);
    }

    @ParameterizedTest
    @CsvSource({"Guild, guilds", "User, users"})
    void getDataWithABracketedListAnswersAnArray(String name, String plural) {
        call("PUT", "/api/" + plural + "/2", "{}");
        call("PUT", "/api/" + plural + "/1", "{}");
        String path = "/api/get" + name + "Data/";
        assertThat(call("GET", path + "%5B2,1,3%5D", null).body()).isEqualTo("[{\"id\":\"1\"},{\"id\":\"2\"}]");
        assertThat(call("GET", path + "%5B%222%22,%20%223%22%5D", null).body()).isEqualTo("[{\"id\":\"2\"}]");
        assertThat(call("GET", path + "%5B3%5D", null).body()).isEqualTo("[]");
        assertError(call("GET", path + "%5B1,x%5D", null), 400);
    }

    @ParameterizedTest
    @CsvSource({"Guild, guilds, 10002, guildID, guildData", "User, users, 10003, userID, userData"})
    void postDataWritesTheEntryNamedInTheBody(String name, String plural, int code, String idField, String dataField) {
        try (WsTestClient listener = gw.connect()) {
            listener.send("{\"code\":20002,\"data\":{\"users\":[\"55\"],\"guilds\":[\"55\"]}}");
            listener.send("{\"code\":20001}");
            assertThat(listener.next().path("code").asInt()).isEqualTo(10001);

            HttpResponse<String> post = call("POST", "/api/post" + name + "Data", "{\"id\":\"55\",\"v\":1}");
            assertThat(post.statusCode()).as(post.body()).isEqualTo(200);
            assertThat(json(post).path("v").asInt()).isEqualTo(1);
            JsonNode update = listener.next();
            assertThat(update.path("code").asInt()).isEqualTo(code);
            assertThat(update.path("data").path(idField).asText()).isEqualTo("55");
            assertThat(update.path("data").path(dataField).path("v").asInt()).isEqualTo(1);

            assertThat(call("PUT", "/api/post" + name + "Data", "{\"id\":\"55\",\"v\":2}").statusCode()).isEqualTo(200);
            assertThat(listener.next().path("data").path(dataField).path("v").asInt()).isEqualTo(2);
        }
        assertThat(json(call("GET", "/api/" + plural + "/55", null)).path("v").asInt()).isEqualTo(2);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Guild | {\"v\":1}",
            "Guild | {\"id\":55}",
            "Guild | {\"id\":\"x\"}",
            "Guild | [1]",
            "User  | {\"v\":1}",
            "User  | {\"id\":\"123456789012345678901\"}",
    })
    void postDataNeedsASnowflakeIdInTheBody(String name, String body) {
        assertError(call("POST", "/api/post" + name + "Data", body), 400);
    }
}
