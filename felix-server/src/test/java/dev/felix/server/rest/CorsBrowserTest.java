package dev.felix.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.felix.protocol.Wire;
import dev.felix.server.testing.RequiredTool;
import dev.felix.server.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.felix.server.config.Settings.CORS_ORIGINS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A dashboard page on another origin calls REST from a real headless Chromium: the origin that
 * --cors-origins lists writes, reads its ETag and gets a 412 it can read; another origin is refused
 * by the browser and writes nothing.
 */
@Timeout(180)
class CorsBrowserTest {
    private static final Path NODE_DIR = Path.of("src/test/node");

    @Test
    void onlyTheListedOriginsPageMayCallTheApi() throws Exception {
        RequiredTool.require(Files.isExecutable(Path.of("/usr/bin/chromium")),
                "Chromium (/usr/bin/chromium; apt-get install -y chromium)");
        RequiredTool.require(Files.isDirectory(NODE_DIR.resolve("node_modules/playwright-core")),
                "playwright-core (npm ci in " + NODE_DIR + ")");
        // The dashboards' page, on loopback like the gateway (Chromium lets no other page reach loopback):
        // as 127.0.0.1 it is the listed origin, as localhost another one.
        HttpServer pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pages.createContext("/", exchange -> {
            byte[] page = "<!doctype html><title>dashboard</title>".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        pages.start();
        String listedOrigin = "http://127.0.0.1:" + pages.getAddress().getPort();
        String otherOrigin = "http://localhost:" + pages.getAddress().getPort();
        try (TestGateway gw = TestGateway.start(b -> b.set(CORS_ORIGINS, List.of(listedOrigin)))) {
            Process browser = new ProcessBuilder("node", "cors.e2e.js", listedOrigin, otherOrigin, gw.httpBase(),
                    gw.privateToken)
                    .directory(NODE_DIR.toFile())
                    .redirectError(Path.of("target/cors-e2e.err").toFile())
                    .start();
            String out = new String(browser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(browser.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(browser.exitValue()).as(Files.readString(Path.of("target/cors-e2e.err"))).isZero();
            JsonNode seen = Wire.mapper().readTree(out);

            JsonNode listed = seen.path("listed");
            assertThat(listed.has("error")).as(listed.toString()).isFalse();
            assertThat(listed.path("put").asInt()).isEqualTo(200);
            assertThat(listed.path("etag").asText()).matches("\"\\d+\"");
            assertThat(listed.path("stale").asInt()).isEqualTo(412);
            assertThat(listed.path("get").asInt()).isEqualTo(200);
            assertThat(listed.path("body").path("from").asText()).isEqualTo(listedOrigin);

            JsonNode other = seen.path("other");
            assertThat(other.path("error").asText()).as(other.toString()).contains("Failed to fetch");
            assertThat(gw.http("GET", "/api/guilds/4242", gw.privateToken, null).body()).contains(listedOrigin);
        } finally {
            pages.stop(0);
        }
    }
}
