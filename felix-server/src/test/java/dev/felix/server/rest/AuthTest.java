package dev.felix.server.rest;

import dev.felix.server.store.TokenRecord;
import dev.felix.server.store.Tokens;
import dev.felix.server.testing.RunningGateway;
import dev.felix.server.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static dev.felix.server.rest.EntryRoutesTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

/** Token rules on every REST route, and the daily limit of public tokens. */
@RunningGateway("public-daily-limit=" + AuthTest.DAILY_LIMIT)
class AuthTest {
    static final int DAILY_LIMIT = 3;
    private TestGateway gw;

    /** Every route that needs a token: method, path, body ({@code -} for none). */
    private static final String ROUTES = """
            GET,    /api/guilds/1,          -
            PUT,    /api/guilds/1,          {}
            PATCH,  /api/guilds/1,          {}
            DELETE, /api/guilds/1,          -
            GET,    /api/guilds?ids=1,      -
            GET,    /api/users/1,           -
            PUT,    /api/users/1,           {}
            PATCH,  /api/users/1,           {}
            DELETE, /api/users/1,           -
            GET,    /api/users,             -
            GET,    /api/getGuildData/1,    -
            POST,   /api/postGuildData,     {"id":"1"}
            PUT,    /api/postGuildData,     {"id":"1"}
            GET,    /api/getUserData/1,     -
            POST,   /api/postUserData,      {"id":"1"}
            PUT,    /api/postUserData,      {"id":"1"}
            GET,    /api/status,            -
            PUT,    /api/status/bot,        '{"shards":[],"guildsCount":0}'
            DELETE, /api/status/bot,        -
            """;

    private static String body(String body) {
        return body.equals("-") ? null : body;
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(textBlock = ROUTES, quoteCharacter = '\'')
    void noTokenIs401(String method, String path, String body) {
        assertError(gw.http(method, path, null, body(body)), 401);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(textBlock = ROUTES, quoteCharacter = '\'')
    void aTokenThatIsNotBearerIs401(String method, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(gw.httpBase() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", gw.privateToken)
                .method(method, body(body) == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            assertError(HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()), 401);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(textBlock = ROUTES, quoteCharacter = '\'')
    void anUnknownTokenIs403(String method, String path, String body) {
        assertError(gw.http(method, path, "fxp_unknown", body(body)), 403);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(textBlock = ROUTES, quoteCharacter = '\'')
    void aRevokedTokenIs403(String method, String path, String body) {
        String token = gw.mint(dev.felix.server.store.Scope.PRIVATE, "revoked-owner");
        long id = gw.gateway.store().listTokens().stream()
                .filter(t -> t.hash().equals(Tokens.hash(token))).mapToLong(TokenRecord::id).findFirst().orElseThrow();
        assertThat(gw.gateway.store().revokeToken(id)).isTrue();
        gw.gateway.tokens().reload();
        assertError(gw.http(method, path, token, body(body)), 403);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(textBlock = ROUTES, quoteCharacter = '\'')
    void aPublicTokenMayOnlyRead(String method, String path, String body) {
        HttpResponse<String> response = gw.http(method, path, gw.publicToken, body(body));
        if (method.equals("GET")) {
            assertThat(response.statusCode()).as(response.body()).isIn(200, 404);
        } else {
            assertError(response, 403);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(textBlock = ROUTES, quoteCharacter = '\'')
    void aPrivateTokenMayDoEverything(String method, String path, String body) {
        HttpResponse<String> response = gw.http(method, path, gw.privateToken, body(body));
        assertThat(response.statusCode()).as(response.body()).isIn(200, 204, 404);
    }

    @Test
    void aPublicTokenIsLimitedPerDayThen429WithRetryAfter() {
        gw.http("PUT", "/api/guilds/1", gw.privateToken, "{}");
        for (int i = 0; i < DAILY_LIMIT; i++) {
            assertThat(gw.http("GET", "/api/guilds/1", gw.publicToken, null).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> limited = gw.http("GET", "/api/getGuildData/1", gw.publicToken, null);
        assertError(limited, 429);
        long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 24L * 3600);
        assertError(gw.http("GET", "/api/status", gw.publicToken, null), 429);

        String other = gw.mint(dev.felix.server.store.Scope.PUBLIC, "someone-else");
        assertThat(gw.http("GET", "/api/guilds/1", other, null).statusCode()).as("limits are per token").isEqualTo(200);
    }

    @Test
    void privateTokensHaveNoDailyLimit() {
        for (int i = 0; i < DAILY_LIMIT * 3; i++) {
            assertThat(gw.http("GET", "/api/guilds", gw.privateToken, null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void refusedWritesDoNotUseUpThePublicLimit() {
        for (int i = 0; i < DAILY_LIMIT * 2; i++) {
            assertError(gw.http("PUT", "/api/guilds/1", gw.publicToken, "{}"), 403);
        }
        assertThat(gw.http("GET", "/api/guilds", gw.publicToken, null).statusCode()).isEqualTo(200);
    }

    @Test
    void theOpenApiDocumentNeedsNoToken() {
        assertThat(gw.http("GET", "/api/openapi.json", null, null).statusCode()).isEqualTo(200);
    }
}
