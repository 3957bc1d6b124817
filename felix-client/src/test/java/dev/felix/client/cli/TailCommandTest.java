package dev.felix.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.Shard;
import dev.felix.protocol.StatusReport;
import dev.felix.protocol.Wire;
import dev.felix.server.testing.RunningGateway;
import dev.felix.server.testing.TestCertificate;
import dev.felix.server.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static dev.felix.server.config.Settings.TLS_CERT;
import static dev.felix.server.config.Settings.TLS_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@RunningGateway
class TailCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private TestGateway gw;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private CompletableFuture<Integer> tail(String... args) {
        CommandLine cli = new CommandLine(new TailCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return CompletableFuture.supplyAsync(() -> cli.execute(args));
    }

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString().split("\n")) {
            if (!line.isBlank()) {
                lines.add(Wire.mapper().readTree(line));
            }
        }
        return lines;
    }

    private long acks() throws Exception {
        return lines().stream().filter(l -> l.path("code").asInt() == 10001).count();
    }

    private void putGuild(String id, String json) {
        assertThat(gw.http("PUT", "/api/guilds/" + id, gw.privateToken, json).statusCode()).isEqualTo(200);
    }

    @Test
    void printsOneJsonLinePerUpdateAndPerHeartbeatAck() throws Exception {
        gw.gateway.status().put("bot", new StatusReport(List.of(Shard.of(0, Shard.READY, 12)), 9, null, null));
        CompletableFuture<Integer> run = tail("--url", gw.wsUri().toString(), "--token", gw.privateToken,
                "--guild", "100", "--user", "300", "--heartbeat-ms", "100", "--limit", "2");
        // The sets go out before the first heartbeat, so an ACK means the server listens for us.
        await().atMost(WAIT).until(() -> acks() >= 1);

        putGuild("200", "{\"prefix\":\"?\"}");
        putGuild("100", "{\"prefix\":\"!\"}");
        assertThat(gw.http("PUT", "/api/users/300", gw.privateToken, "{\"lang\":\"fr\"}").statusCode()).isEqualTo(200);

        assertThat(run.get(20, TimeUnit.SECONDS)).isZero();
        List<JsonNode> lines = lines();
        JsonNode ack = lines.stream().filter(l -> l.path("code").asInt() == 10001).findFirst().orElseThrow();
        assertThat(ack.path("name").asText()).isEqualTo("Heartbeat ACK");
        assertThat(ack.path("data").path("guildsCount").asLong()).isEqualTo(9);
        assertThat(ack.path("data").path("shards").get(0).path("status").asText()).isEqualTo("ready");
        List<JsonNode> updates = lines.stream().filter(l -> l.path("code").asInt() != 10001).toList();
        assertThat(updates).hasSize(2);
        assertThat(updates.get(0).path("name").asText()).isEqualTo("GDB Update");
        assertThat(updates.get(0).path("data").path("guildID").asText()).isEqualTo("100");
        assertThat(updates.get(0).path("data").path("guildData").path("prefix").asText()).isEqualTo("!");
        assertThat(updates.get(0).path("seq").asLong()).isPositive();
        assertThat(updates.get(1).path("code").asInt()).isEqualTo(10003);
        assertThat(updates.get(1).path("data").path("userID").asText()).isEqualTo("300");
        assertThat(err.toString()).contains("felix tail: connected " + gw.wsUri());
    }

    @Test
    void quietStatusPrintsUpdatesOnly() throws Exception {
        CompletableFuture<Integer> run = tail("--url", gw.wsUri().toString(), "--token", gw.privateToken,
                "--guild", "100", "--quiet-status", "--heartbeat-ms", "100", "--limit", "1");
        // Nothing on stdout tells when the server listens for us, so write until an update comes out.
        int n = 0;
        while (!run.isDone() && n < 100) {
            putGuild("100", "{\"n\":" + n++ + "}");
            try {
                run.get(200, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillRunning) {
                // no update printed yet: the next write may be the one it sees
            }
        }
        assertThat(run.get(20, TimeUnit.SECONDS)).isZero();
        assertThat(lines()).hasSize(1).allSatisfy(l -> assertThat(l.path("code").asInt()).isEqualTo(10002));
    }

    @Test
    void aRefusedTokenExitsWith2AndSaysWhy() throws Exception {
        CompletableFuture<Integer> run = tail("--url", gw.wsUri().toString(), "--token", "fxp_wrong");
        assertThat(run.get(20, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(err.toString()).contains("failed").contains("HTTP 403");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aServerThatIsDownIsReportedWithTheReason() throws Exception {
        int port;
        try (ServerSocket closedBeforeTailStarts = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = closedBeforeTailStarts.getLocalPort();
        }
        String url = "ws://127.0.0.1:" + port + "/";
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), TailCommand.class.getName(),
                "--url", url, "--token", gw.privateToken).start();
        try (BufferedReader stderr = process.errorReader(StandardCharsets.UTF_8)) {
            CompletableFuture<String> disconnected = CompletableFuture.supplyAsync(
                    () -> stderr.lines().filter(line -> line.contains("disconnected")).findFirst().orElse("(none)"));
            assertThat(disconnected.get(20, TimeUnit.SECONDS))
                    .isEqualTo("felix tail: disconnected " + url + " (connection refused)");
        } finally {
            process.destroyForcibly().waitFor();
        }
    }

    @Test
    void anUntrustedCertificateExitsWith1InsteadOfRetrying(@TempDir Path dir) throws Exception {
        TestCertificate certificate = TestCertificate.create(dir);
        try (TestGateway tls = TestGateway.start(
                b -> b.set(TLS_CERT, certificate.certPem).set(TLS_KEY, certificate.keyPem))) {
            String url = "wss://localhost:" + tls.gateway.wsPort() + "/";
            CompletableFuture<Integer> run = tail("--url", url, "--token", tls.privateToken);
            assertThat(run.get(20, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(err.toString()).contains("felix tail: disconnected " + url + " (")
                    .contains("PKIX path building failed")
                    .contains("the server's certificate is not trusted for " + url)
                    .contains("-Djavax.net.ssl.trustStore=");
            assertThat(err.toString().lines().filter(l -> l.contains("connecting"))).hasSize(1);
        }
    }

    @Test
    void aTokenFileIsReadAnewOnEveryReconnect(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, "fxs_" + "A".repeat(43) + "\n");
        CompletableFuture<Integer> run = tail("--url", gw.wsUri().toString(), "--token-file", file.toString(),
                "--guild", "100", "--heartbeat-ms", "100", "--limit", "1");
        await().atMost(WAIT).until(() -> err.toString().contains("HTTP 403"));
        assertThat(run).isNotDone();

        String session = gw.http("POST", "/api/sessions", gw.privateToken, "{\"guilds\":[\"100\"]}").body()
                .replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
        Files.writeString(file, session + "\n");
        // An ACK answers a heartbeat sent after the listeners update, which was then processed.
        await().atMost(WAIT).until(() -> acks() >= 1);
        putGuild("100", "{\"v\":1}");
        assertThat(run.get(20, TimeUnit.SECONDS)).isZero();
        assertThat(lines()).filteredOn(l -> l.path("code").asInt() == 10002).singleElement()
                .satisfies(l -> assertThat(l.path("data").path("guildID").asText()).isEqualTo("100"));
    }

    @Test
    void aTokenFileFlagWinsOverTheTokenVariable(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("token"), gw.privateToken + "\n");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), TailCommand.class.getName(),
                "--url", gw.wsUri().toString(), "--token-file", file.toString());
        pb.environment().put("FELIX_TOKEN", "fxp_not_this_one");
        Process process = pb.start();
        try (BufferedReader stderr = process.errorReader(StandardCharsets.UTF_8)) {
            CompletableFuture<String> connected = CompletableFuture.supplyAsync(
                    () -> stderr.lines().filter(line -> line.contains("connected") || line.contains("not both")
                            || line.contains("HTTP 403")).findFirst().orElse("(none)"));
            assertThat(connected.get(20, TimeUnit.SECONDS)).isEqualTo("felix tail: connected " + gw.wsUri());
        } finally {
            process.destroyForcibly().waitFor();
        }
    }

    @Test
    void aTokenAndATokenFileAreAUsageError(@TempDir Path dir) throws Exception {
        CompletableFuture<Integer> run = tail("--url", gw.wsUri().toString(), "--token", gw.privateToken,
                "--token-file", dir.resolve("token").toString());
        assertThat(run.get(20, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(err.toString()).contains("not both");
    }

    @Test
    void aMissingTokenIsAUsageError() throws Exception {
        CompletableFuture<Integer> run = tail("--url", gw.wsUri().toString(), "--token", "");
        assertThat(run.get(20, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(err.toString()).contains("a token is required");
    }
}
