package dev.felix.server.rest;

import dev.felix.server.testing.Http;
import dev.felix.server.testing.TestGateway;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static dev.felix.server.config.Settings.CORS_ORIGINS;
import static dev.felix.server.rest.EntryRoutesTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

/** --cors-origins: preflights, the headers every cross-origin answer carries, and the read-only *. */
class CorsTest {
    private static final String DASHBOARD = "https://dash.example.com";

    private static HttpResponse<String> send(TestGateway gw, String method, String path, String token, String body,
                                             Map<String, String> headers) throws IOException {
        return Http.send(method, URI.create(gw.httpBase() + path), token,
                body == null ? null : body.getBytes(StandardCharsets.UTF_8), headers);
    }

    private static HttpResponse<String> preflight(TestGateway gw, String origin, String method) throws IOException {
        return send(gw, "OPTIONS", "/api/guilds/5", null, null, Map.of("Origin", origin,
                "Access-Control-Request-Method", method,
                "Access-Control-Request-Headers", "authorization,content-type,if-match"));
    }

    private static String header(HttpResponse<String> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    @Test
    void withoutTheOptionNoOriginIsAllowedAndAPreflightIs405() throws IOException {
        try (TestGateway gw = TestGateway.start()) {
            assertError(preflight(gw, DASHBOARD, "GET"), 405);
            HttpResponse<String> read = send(gw, "GET", "/api/guilds/5", gw.privateToken, null, Map.of("Origin", DASHBOARD));
            assertThat(header(read, "Access-Control-Allow-Origin")).isNull();
        }
    }

    @Test
    void aListedOriginIsPreflightedWithoutATokenAndReadsItsAnswers() throws IOException {
        try (TestGateway gw = TestGateway.start(b -> b.set(CORS_ORIGINS, List.of(DASHBOARD, "http://localhost:3000")))) {
            HttpResponse<String> pre = preflight(gw, DASHBOARD, "PUT");
            assertThat(pre.statusCode()).isEqualTo(204);
            assertThat(header(pre, "Access-Control-Allow-Origin")).isEqualTo(DASHBOARD);
            assertThat(header(pre, "Access-Control-Allow-Methods")).contains("PUT", "PATCH", "DELETE", "GET");
            assertThat(header(pre, "Access-Control-Allow-Headers").toLowerCase())
                    .contains("authorization", "content-type", "if-match", "if-none-match");
            assertThat(header(pre, "Access-Control-Max-Age")).isNotNull();

            HttpResponse<String> put = send(gw, "PUT", "/api/guilds/5", gw.privateToken, "{\"a\":1}",
                    Map.of("Origin", DASHBOARD));
            assertThat(put.statusCode()).isEqualTo(200);
            assertThat(header(put, "Access-Control-Allow-Origin")).isEqualTo(DASHBOARD);
            assertThat(header(put, "Access-Control-Expose-Headers")).contains("ETag", "Retry-After");
            assertThat(put.headers().allValues("Vary")).contains("Origin");

            HttpResponse<String> refused = send(gw, "GET", "/api/guilds/5", null, null, Map.of("Origin", DASHBOARD));
            assertError(refused, 401);
            assertThat(header(refused, "Access-Control-Allow-Origin")).as("errors are readable too").isEqualTo(DASHBOARD);
        }
    }

    @Test
    void anotherOriginIsNeitherPreflightedNorShared() throws IOException {
        try (TestGateway gw = TestGateway.start(b -> b.set(CORS_ORIGINS, List.of(DASHBOARD)))) {
            assertError(preflight(gw, "https://evil.example.com", "GET"), 403);
            assertError(preflight(gw, "https://dash.example.com.evil.example.com", "GET"), 403);
            HttpResponse<String> read = send(gw, "GET", "/api/guilds/5", gw.privateToken, null,
                    Map.of("Origin", "https://evil.example.com"));
            assertThat(header(read, "Access-Control-Allow-Origin")).isNull();
            assertThat(read.headers().allValues("Vary")).contains("Origin");
        }
    }

    @Test
    void anyOriginMayOnlyRead() throws IOException {
        try (TestGateway gw = TestGateway.start(b -> b.set(CORS_ORIGINS, List.of("*")))) {
            HttpResponse<String> pre = preflight(gw, "https://anyone.example.org", "GET");
            assertThat(pre.statusCode()).isEqualTo(204);
            assertThat(header(pre, "Access-Control-Allow-Origin")).isEqualTo("*");
            assertThat(header(pre, "Access-Control-Allow-Methods")).isEqualTo("GET, HEAD");
            assertError(preflight(gw, "https://anyone.example.org", "PUT"), 403);

            HttpResponse<String> read = send(gw, "GET", "/api/guilds/5", gw.publicToken, null,
                    Map.of("Origin", "https://anyone.example.org"));
            assertThat(header(read, "Access-Control-Allow-Origin")).isEqualTo("*");
            HttpResponse<String> write = send(gw, "PUT", "/api/guilds/5", gw.privateToken, "{}",
                    Map.of("Origin", "https://anyone.example.org"));
            assertThat(header(write, "Access-Control-Allow-Origin")).as("a write's answer is not shared").isNull();
        }
    }
}
