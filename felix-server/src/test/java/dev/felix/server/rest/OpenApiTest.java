package dev.felix.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.regex.Pattern;

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
                    String path = route.getPath().replaceAll(":([A-Za-z]+)", "{$1}");
                    registered.add(method.name().toLowerCase(Locale.ROOT) + " " + path);
                    if (method == HttpMethod.GET) {
                        // HEAD is served on every GET route, by rerouting it as GET.
                        registered.add("head " + path);
                    }
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
        JsonNode shipped = Wire.mapper().readTree(RestApi.openApiDocument());
        try (TestGateway gw = TestGateway.start()) {
            for (int i = 0; i < 20; i++) {
                HttpResponse<byte[]> response = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(gw.httpBase() + RestApi.OPENAPI_PATH))
                                .timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(response.statusCode()).isEqualTo(200);
                ObjectNode served = (ObjectNode) Wire.mapper().readTree(response.body());
                served.remove("servers");
                assertThat(served).isEqualTo(shipped);
            }
        }
    }

    @Test
    void theServersAreTheAddressTheDocumentWasAskedOn() throws IOException {
        try (TestGateway gw = TestGateway.start()) {
            JsonNode served = Wire.mapper().readTree(gw.http("GET", RestApi.OPENAPI_PATH, null, null).body());
            assertThat(served.path("servers")).hasSize(1);
            assertThat(served.path("servers").path(0).path("url").asText()).isEqualTo(gw.httpBase());
        }
    }

    /** What the server does beyond each route's own answers is in the document too. */
    @Test
    void theDocumentDeclaresTheAnswersTheHttpLayerGives() throws IOException {
        JsonNode doc = Wire.mapper().readTree(RestApi.openApiDocument());
        JsonNode unauthorized = doc.path("components").path("responses").path("Unauthorized");
        assertThat(unauthorized.path("headers").has("WWW-Authenticate")).isTrue();
        doc.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            if (!OPERATIONS.contains(op.getKey())) {
                return;
            }
            String name = op.getKey() + " " + path.getKey();
            JsonNode responses = op.getValue().path("responses");
            assertThat(responses.has("414") && responses.has("431")).as(name).isTrue();
            if (op.getKey().equals("get")) {
                assertThat(path.getValue().has("head")).as(name + " has HEAD").isTrue();
                assertThat(responses.path("200").path("content").path("application/json").has("schema"))
                        .as(name + " 200 schema").isTrue();
            }
            if (responses.has("401")) {
                assertThat(responses.path("401").path("$ref").asText()).as(name).endsWith("/Unauthorized");
            }
            if (op.getValue().has("requestBody")) {
                assertThat(responses.has("415")).as(name).isTrue();
            }
        }));
        JsonNode getOne = doc.path("paths").path("/api/guilds/{id}").path("get").path("responses");
        assertThat(getOne.has("304") && getOne.has("412")).isTrue();
        JsonNode put = doc.path("paths").path("/api/guilds/{id}").path("put");
        assertThat(put.path("parameters").findValuesAsText("name")).contains("If-Match", "If-None-Match");
        assertThat(doc.path("paths").path("/api/guilds/{id}").path("patch").path("requestBody").path("content")
                .has("application/merge-patch+json")).isTrue();

        Pattern ids = Pattern.compile(doc.path("paths").path("/api/getGuildData/{ids}").path("get")
                .path("parameters").path(0).path("schema").path("pattern").asText());
        assertThat(ids.matcher("123456789012345678").find()).isTrue();
        assertThat(ids.matcher("[1,2]").find()).isTrue();
        assertThat(ids.matcher("[\"1\", \"2\"]").find()).isTrue();
        assertThat(ids.matcher("abc").find()).isFalse();
    }
}
