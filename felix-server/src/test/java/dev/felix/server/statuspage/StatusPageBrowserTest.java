package dev.felix.server.statuspage;

import dev.felix.protocol.Shard;
import dev.felix.protocol.StatusReport;
import dev.felix.protocol.Wire;
import dev.felix.server.Gateway;
import dev.felix.server.store.Scope;
import dev.felix.server.testing.RequiredTool;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.felix.server.config.Settings.HTTP_PORT;
import static dev.felix.server.config.Settings.MAX_CONNECTIONS_PER_TOKEN;
import static dev.felix.server.config.Settings.WS_PORT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The status page, which speaks the protocol through the felix-gateway-client browser build the
 * gateway serves, in a real headless Chromium: a refused token, a token at its connection limit,
 * logging in, a reported shard appearing, a screenshot (target/status-page.png), the connection
 * dropping and coming back.
 */
@Timeout(240)
class StatusPageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path NODE_DIR = Path.of("src/test/node");

    @Test
    void pageLogsInShowsAReportedShardAndReconnects() throws Exception {
        RequiredTool.require(Files.isExecutable(CHROMIUM), "Chromium (/usr/bin/chromium; apt-get install -y chromium)");
        RequiredTool.require(Files.isDirectory(NODE_DIR.resolve("node_modules/playwright-core")),
                "playwright-core (npm ci in " + NODE_DIR + ")");
        Path screenshot = Path.of("target/status-page.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);

        TestGateway gw = TestGateway.start(b -> b.set(MAX_CONNECTIONS_PER_TOKEN, 1));
        String busyToken = gw.mint(Scope.PRIVATE, "busy");
        WsTestClient holder = WsTestClient.connect(gw.wsUri(), busyToken);
        // The page logs in as a dashboard's user would: with a read-only session token that may touch no entry.
        HttpResponse<String> session = gw.http("POST", "/api/sessions", gw.privateToken, "{\"readOnly\":true}");
        assertThat(session.statusCode()).isEqualTo(201);
        String readOnlyToken = Wire.mapper().readTree(session.body()).path("token").asText();
        Gateway restarted = null;
        Process browser = null;
        try {
            browser = new ProcessBuilder("node", "status-page.e2e.js", gw.httpBase(), readOnlyToken,
                    screenshot.toString(), busyToken)
                    .directory(NODE_DIR.toFile())
                    .redirectError(Path.of("target/status-page-e2e.err").toFile())
                    .start();
            BlockingQueue<String> steps = lines(browser);

            expect(steps, "CONNECTED", browser);
            gw.gateway.status().put("bot", new StatusReport(List.of(Shard.of(0, "ready", 42)), 1234, null, null));
            expect(steps, "SHARD_SEEN", browser);
            assertThat(screenshot).isNotEmptyFile();

            int wsPort = gw.gateway.wsPort();
            int httpPort = gw.gateway.httpPort();
            gw.gateway.close();
            assertThat(expect(steps, "DROP_SEEN", browser)).containsAnyOf("Connection lost", "Cannot reach");

            restarted = Gateway.start(gw.gateway.config().toBuilder()
                    .set(WS_PORT, wsPort).set(HTTP_PORT, httpPort).build());
            expect(steps, "RECONNECTED", browser);
            assertThat(browser.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(browser.exitValue()).as(errors()).isZero();
        } finally {
            if (browser != null) {
                browser.destroyForcibly();
            }
            holder.close();
            if (restarted != null) {
                restarted.close();
            }
            gw.close();
        }
    }

    private static BlockingQueue<String> lines(Process process) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("READ FAILED " + e);
            }
        }, "status-page-e2e-stdout");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static String expect(BlockingQueue<String> steps, String step, Process browser) throws Exception {
        String line = steps.poll(90, TimeUnit.SECONDS);
        if (line == null || !line.startsWith(step)) {
            browser.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("expected " + step + " from the browser, got " + line + "\n" + errors());
        }
        return line;
    }

    private static String errors() throws IOException {
        Path err = Path.of("target/status-page-e2e.err");
        return Files.exists(err) ? Files.readString(err) : "";
    }
}
