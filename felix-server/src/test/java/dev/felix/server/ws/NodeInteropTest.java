package dev.felix.server.ws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.Wire;
import dev.felix.server.testing.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Node's {@code ws} against the gateway, as the protocol document's snippet uses it: {@code ws} 7
 * with {@code null} protocols, the current {@code ws} 8 with {@code []}, and {@code ws} 8 refusing
 * {@code null}. The build installs both versions (npm ci in src/test/node).
 */
class NodeInteropTest {
    private static final Path SCRIPT_DIR = Path.of("src", "test", "node");
    private static String node;
    private static TestGateway gw;

    @BeforeAll
    static void start() {
        node = findNode();
        boolean installed = Files.isDirectory(SCRIPT_DIR.resolve("node_modules/ws"))
                && Files.isDirectory(SCRIPT_DIR.resolve("node_modules/ws7"));
        if (node == null || !installed) {
            String why = node == null ? "node is not on the PATH" : "the ws packages are not installed (npm ci)";
            if ("true".equals(System.getenv("CI"))) {
                fail(why + "; the interop tests need it on CI");
            }
            assumeTrue(false, why);
        }
        gw = TestGateway.start();
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private static String findNode() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "node");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    private static List<JsonNode> run(String module, String protocols, String token, String guild)
            throws IOException, InterruptedException {
        String wsUrl = "ws://127.0.0.1:" + gw.gateway.wsPort();
        Process process = new ProcessBuilder(node, "interop.js", module, protocols, wsUrl, gw.httpBase(), token, guild)
                .directory(SCRIPT_DIR.toFile()).redirectErrorStream(true).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("node did not finish within 60 s");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        List<JsonNode> events = new ArrayList<>();
        for (String line : output.lines().toList()) {
            events.add(Wire.mapper().readTree(line));
        }
        return events;
    }

    private static void assertFullFlow(List<JsonNode> events, String guild) {
        List<String> names = events.stream().map(e -> e.get("event").textValue()).toList();
        assertThat(names.subList(0, 3)).containsExactly("open", "ack", "ack");
        // The update is sent at commit, so it may overtake the PUT's response.
        assertThat(names.subList(3, 5)).containsExactlyInAnyOrder("put", "update");
        assertThat(names.subList(5, names.size())).containsExactly("close");
        JsonNode put = event(events, "put");
        JsonNode update = event(events, "update").get("message");
        JsonNode ack = events.get(1).get("message");
        assertThat(ack.get("code").intValue()).isEqualTo(10001);
        assertThat(ack.get("name").textValue()).isEqualTo("Heartbeat ACK");
        assertThat(ack.get("data").get("shards").isArray()).isTrue();
        assertThat(ack.get("data").get("receivedAt").isIntegralNumber()).isTrue();
        assertThat(put.get("status").intValue()).isEqualTo(200);
        assertThat(update.get("code").intValue()).isEqualTo(10002);
        assertThat(update.get("name").textValue()).isEqualTo("GDB Update");
        assertThat(update.get("data").get("guildID").textValue()).isEqualTo(guild);
        assertThat(update.get("data").get("guildData").get("prefix").textValue()).isEqualTo("baguette");
        assertThat(events.get(5).get("code").intValue()).isEqualTo(1000);
    }

    private static JsonNode event(List<JsonNode> events, String name) {
        return events.stream().filter(e -> e.get("event").textValue().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void ws7RunsTheSnippetVerbatimWithNullProtocols() throws Exception {
        assertFullFlow(run("ws7", "null", gw.privateToken, "700000000000000007"), "700000000000000007");
    }

    @Test
    void ws8RunsTheSameFlowWithEmptyProtocols() throws Exception {
        assertFullFlow(run("ws", "[]", gw.privateToken, "800000000000000008"), "800000000000000008");
    }

    @Test
    void ws8RefusesNullProtocolsAsTheReadmeSays() throws Exception {
        List<JsonNode> events = run("ws", "null", gw.privateToken, "1");
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.get("event").textValue()).isEqualTo("constructor-error");
            assertThat(e.get("name").textValue()).isEqualTo("SyntaxError");
            assertThat(e.get("message").textValue()).isEqualTo("An invalid or duplicated subprotocol was specified");
        });
        assertThat(Files.readString(Path.of("..", "README.md")))
                .contains("An invalid or duplicated subprotocol was specified");
    }

    @Test
    void refusedTokenIsA403ForNodeToo() throws Exception {
        for (String token : List.of(gw.publicToken, "Bearer " + gw.privateToken)) {
            List<JsonNode> events = run("ws7", "null", token, "1");
            assertThat(events).extracting(e -> e.get("event").textValue()).containsExactly("error", "close");
            assertThat(events.get(0).get("message").textValue()).isEqualTo("Unexpected server response: 403");
        }
    }
}
