package dev.felix.dist;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The release archive, unpacked in an empty folder and run as an operator would, with nothing but
 * a Java runtime on the PATH: no Maven, no source tree, no Node.
 */
class ReleaseArchiveTest {
    private static final Pattern BOUND =
            Pattern.compile("Felix.s WebSocket on ws://127\\.0\\.0\\.1:(\\d+), REST API on http://127\\.0\\.0\\.1:(\\d+)");

    private static final Pattern FIRST_TOKEN = Pattern.compile("(?m)^\\s*(fxp_\\S+)$");
    private static final Pattern MINT_MORE = Pattern.compile("(?m)^Mint more with: .*$");

    @TempDir
    static Path folder;
    private static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        home = Release.unpack(folder);
    }

    /**
     * Runs bin/felix in the unpacked folder, as typed there ({@code bin/felix serve}), with only a JRE
     * on the PATH and no FELIX_* variable.
     */
    private static ProcessBuilder felix(String... args) {
        ProcessBuilder pb = new ProcessBuilder("bin/felix");
        pb.command().addAll(List.of(args));
        pb.directory(home.toFile());
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", Release.javaOnlyPath());
        return pb;
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(folder, "out", ".txt");
        Path err = Files.createTempFile(folder, "err", ".txt");
        Process process = felix(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("bin/felix %s finished", List.of(args)).isTrue();
        return new Run(process.exitValue(), Release.read(out), Release.read(err));
    }

    @Test
    void holdsTheLauncherTheJarsTheConfigurationTheUnitAndTheDocuments() {
        assertThat(Files.isExecutable(home.resolve("bin/felix"))).isTrue();
        assertThat(home.resolve("lib/felix.jar")).isRegularFile();
        assertThat(home.resolve("lib/felix-tail.jar")).isRegularFile();
        assertThat(Release.read(home.resolve("LICENSE"))).contains("Apache License", "Version 2.0, January 2004");
        assertThat(Release.read(home.resolve("README.md"))).contains("## Quick start", "## Operations");
        assertThat(home.resolve("docs/felix-websocket.md")).isRegularFile();
        assertThat(Release.read(home.resolve("INSTALL.md"))).doesNotContain("${project.version}")
                .contains(Release.ARCHIVE.getFileName().toString());
        assertThat(Release.read(home.resolve("felix.service")))
                .contains("User=felix", "StateDirectory=felix", "ExecStart=/opt/felix/bin/felix serve --config /etc/felix/felix.yml");
    }

    @Test
    void theShippedConfigurationIsValidAndEveryOptionIsInIt() throws Exception {
        Run config = run("config", "--config", "felix.yml");
        assertThat(config.exitCode()).as(config.err()).isZero();
        assertThat(config.out()).contains("data: /var/lib/felix").contains("# file");
        String shipped = Release.read(home.resolve("felix.yml"));
        for (String line : config.out().lines().skip(1).toList()) {
            String key = line.replaceFirst("^# ", "").split(":", 2)[0];
            assertThat(shipped).as("felix.yml documents %s", key).containsPattern("(?m)^(# )?" + key + ":");
        }
    }

    @Test
    void tailAndTheOtherCommandsRunFromTheirJars() throws Exception {
        Run tail = run("tail", "--help");
        assertThat(tail.exitCode()).as(tail.err()).isZero();
        assertThat(tail.out()).contains("Usage: felix tail");
        Run help = run("--help");
        assertThat(help.out()).contains("Watch a gateway live: bin/felix tail --help");
        Run version = run("--version");
        assertThat(version.out()).startsWith("Felix Gateway ");
        Run bench = run("bench");
        assertThat(bench.exitCode()).isEqualTo(2);
        assertThat(bench.err()).contains("./felix bench in a source checkout");
    }

    @Test
    void servesAndMintsTokensWithOnlyAJreOnThePath() throws Exception {
        Path out = Files.createTempFile(folder, "serve", ".out");
        Path err = Files.createTempFile(folder, "serve", ".err");
        Process serve = felix("serve", "--host", "127.0.0.1", "--ws-port", "0", "--http-port", "0")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            Matcher bound = await(serve, err, BOUND, "bind");
            int httpPort = Integer.parseInt(bound.group(2));
            String minted = await(serve, out, FIRST_TOKEN, "print the first token").group(1);
            assertThat(await(serve, out, MINT_MORE, "print how to mint more").group())
                    .as("the hint names the command a release user typed")
                    .isEqualTo("Mint more with: bin/felix token create --private --owner ID");
            assertThat(http(httpPort, "PUT", "/api/guilds/1", minted, "{\"from\":\"release\"}").statusCode()).isEqualTo(200);

            Run create = run("token", "create", "--private", "--owner", "42");
            assertThat(create.exitCode()).as(create.err()).isZero();
            String token = create.out().strip().lines().reduce((a, b) -> b).orElseThrow();
            assertThat(token).startsWith("fxp_");
            assertThat(home.resolve("data/felix.db")).isRegularFile();
            awaitAccepted(httpPort, token);
        } finally {
            serve.toHandle().destroy();
            assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(serve.exitValue()).as(Release.read(err)).isZero();
    }

    /** Waits for what a running serve writes to one of its files. */
    private static Matcher await(Process serve, Path file, Pattern pattern, String what) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            Matcher m = pattern.matcher(Release.read(file));
            if (m.find()) {
                return m;
            }
            if (!serve.isAlive()) {
                throw new AssertionError("bin/felix serve exited with " + serve.exitValue() + ": " + Release.read(file));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("bin/felix serve did not " + what + " within 60 s: " + Release.read(file));
    }

    /** A token minted by another process is accepted once the gateway's token poller has read it. */
    private static void awaitAccepted(int httpPort, String token) throws Exception {
        int status = 0;
        for (int i = 0; i < 100 && status != 200; i++) {
            status = http(httpPort, "GET", "/api/guilds/1", token, null).statusCode();
            Thread.sleep(100);
        }
        assertThat(status).as("GET with the token token create printed").isEqualTo(200);
    }

    private static HttpResponse<String> http(int port, String method, String path, String token, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
