package dev.felix.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.Wire;
import dev.felix.server.testing.TestGateway;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAPI document and the routes the API registers describe the same thing. */
class OpenApiTest {
    private static final Set<String> OPERATIONS = Set.of("get", "put", "post", "patch", "delete", "head", "options");

    @Test
    void everyRegisteredRouteIsDocumentedAndNothingElse() throws IOException {
        try (TestGateway gw = TestGateway.start()) {
            Router router = Router.router(gw.gateway.vertx());
            new RestApi(gw.gateway.config(), gw.gateway.entries(), gw.gateway.store(), gw.gateway.tokens(),
                    gw.gateway.status()).mount(router);
            Set<String> registered = new TreeSet<>();
            for (Route route : router.getRoutes()) {
                if (route.getPath() == null || route.methods() == null || route.methods().isEmpty()) {
                    continue;
                }
                for (HttpMethod method : route.methods()) {
                    registered.add(method.name().toLowerCase(Locale.ROOT) + " "
                            + route.getPath().replaceAll(":([A-Za-z]+)", "{$1}"));
                }
            }
            assertThat(registered).contains("get /api/guilds/{id}", "patch /api/users/{id}", "put /api/status/{reporter}");

            JsonNode served = Wire.mapper().readTree(gw.http("GET", "/api/openapi.json", null, null).body());
            assertThat(served.path("openapi").asText()).startsWith("3.");
            Set<String> documented = new TreeSet<>();
            Iterator<String> paths = served.path("paths").fieldNames();
            while (paths.hasNext()) {
                String path = paths.next();
                served.path("paths").path(path).fieldNames().forEachRemaining(op -> {
                    if (OPERATIONS.contains(op)) {
                        documented.add(op + " " + path);
                    }
                });
            }
            assertThat(documented).isEqualTo(registered);
        }
    }

    /** A fresh JDK client offers an h2c upgrade on its first request; the document must arrive intact anyway. */
    @Test
    void freshJdkClientsGetTheWholeDocument() throws Exception {
        byte[] expected = RestApi.openApiDocument();
        try (TestGateway gw = TestGateway.start()) {
            for (int i = 0; i < 20; i++) {
                HttpResponse<byte[]> response = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(gw.httpBase() + RestApi.OPENAPI_PATH))
                                .timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).isEqualTo(expected);
            }
        }
    }
}
