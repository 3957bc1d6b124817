package dev.felix.server.cli;

import dev.felix.server.config.GatewayConfig;
import dev.felix.server.testing.ServeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.felix.server.config.Settings.HTTP_PORT;
import static dev.felix.server.config.Settings.MAX_LISTEN_IDS;
import static dev.felix.server.config.Settings.PING_INTERVAL;
import static dev.felix.server.config.Settings.WS_PORT;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(120)
class ConfigPrecedenceTest {
    @TempDir
    Path dir;

    private Path file(String yaml) throws IOException {
        Path file = dir.resolve("felix.yml");
        Files.writeString(file, yaml);
        return file;
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(Map<String, String> env, String... args) {
        CommandLine commandLine = FelixCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = FelixCommand.run(commandLine, args, env::get);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void flagBeatsEnvBeatsFileBeatsDefault() throws IOException {
        Path file = file("""
                ws-port: 1111
                http-port: 2222
                ping-interval-ms: 3333
                max-listen-ids: 44
                log-format: json
                """);
        Run run = run(Map.of("FELIX_HTTP_PORT", "5555", "FELIX_PING_INTERVAL_MS", "6666"),
                "config", "--config", file.toString(), "--ping-interval-ms", "7777");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("(?m)^ws-port: 1111 +# file$")
                .containsPattern("(?m)^http-port: 5555 +# env$")
                .containsPattern("(?m)^ping-interval-ms: 7777 +# flag$")
                .containsPattern("(?m)^max-listen-ids: 44 +# file$")
                .containsPattern("(?m)^max-body-bytes: 1048576 +# default$")
                .containsPattern("(?m)^log-format: json +# file$")
                .contains("# db-url: (not set)")
                .contains("config file " + file);
    }

    @Test
    void serveRunsWithTheSameMergedValues() throws IOException {
        Path file = file("ws-port: 1111\nhttp-port: 2222\nmax-listen-ids: 44\n");
        CommandLine commandLine = FelixCommand.commandLine();
        String[] args = {"serve", "--config", file.toString(), "--max-listen-ids", "55"};
        ConfigDefaults.install(commandLine, args, Map.of("FELIX_HTTP_PORT", "5555")::get);
        CommandLine.ParseResult parsed = commandLine.parseArgs(args);
        ServeCommand serve = parsed.subcommand().commandSpec().commandLine().getCommand();
        GatewayConfig config = serve.config();
        assertThat(config.get(WS_PORT)).isEqualTo(1111);
        assertThat(config.get(HTTP_PORT)).isEqualTo(5555);
        assertThat(config.get(MAX_LISTEN_IDS)).isEqualTo(55);
        assertThat(config.get(PING_INTERVAL)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void configFileMayComeFromTheEnvironment() throws IOException {
        Path file = file("ws-port: 1234\n");
        Run run = run(Map.of("FELIX_CONFIG", file.toString()), "config");
        assertThat(run.out()).containsPattern("(?m)^ws-port: 1234 +# file$");
    }

    @Test
    void secretsAreMasked() throws IOException {
        Path file = file("db-url: jdbc:postgresql://db:5432/felix?user=felix&password=hunter2\n");
        Run run = run(Map.of(), "config", "--config=" + file);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).doesNotContain("hunter2")
                .contains("db-url: \"jdbc:postgresql://db:5432/felix?user=felix&password=****\"");
        assertThat(ConfigCommand.masked("db-url", "jdbc:postgresql://felix:hunter2@db/felix"))
                .isEqualTo("jdbc:postgresql://felix:****@db/felix");
        assertThat(ConfigCommand.masked("db-password", "hunter2")).isEqualTo("****");
    }

    @Test
    void theOutputReadsBackAsAConfigFileWithTheSameValues() throws IOException {
        Run printed = run(Map.of(), "config", "--max-connections-per-token", "7", "--db-password", "hunter2");
        assertThat(printed.exitCode()).as(printed.err()).isZero();
        assertThat(printed.out()).containsPattern("(?m)^max-connections-per-token: 7 +# flag$")
                .containsPattern("(?m)^db-password: \"\\*{4}\" +# flag$")
                .doesNotContain("hunter2");

        Run reread = run(Map.of(), "config", "--config", file(printed.out()).toString());
        assertThat(reread.exitCode()).as(reread.err()).isZero();
        assertThat(settings(reread.out())).isEqualTo(settings(printed.out())).hasSizeGreaterThan(10);
    }

    /** The key: value lines of felix config's output, without the comment saying where each came from. */
    private static List<String> settings(String configOutput) {
        return configOutput.lines().filter(line -> !line.startsWith("#"))
                .map(line -> line.replaceFirst(" +# [a-z]+$", "")).toList();
    }

    @Test
    void logLevelsAreTheFiveLevelsInAnyCase() throws IOException {
        Run bogus = run(Map.of(), "config", "--log-level", "bogus");
        assertThat(bogus.exitCode()).isEqualTo(2);
        assertThat(bogus.err()).contains("--log-level").contains("[TRACE, DEBUG, INFO, WARN, ERROR]").contains("'bogus'");
        assertThat(run(Map.of("FELIX_LOG_LEVEL", "verbose"), "config").exitCode()).isEqualTo(2);
        assertThat(run(Map.of(), "config", "--config", file("log-level: loud\n").toString()).exitCode()).isEqualTo(2);

        Run lower = run(Map.of(), "config", "--log-level", "debug", "--log-format", "JSON");
        assertThat(lower.exitCode()).as(lower.err()).isZero();
        assertThat(lower.out()).containsPattern("(?m)^log-level: DEBUG +# flag$")
                .containsPattern("(?m)^log-format: json +# flag$");
    }

    @Test
    void unknownKeysAndMissingFilesAreClearErrors() throws IOException {
        Path file = file("ws_port: 1111\n");
        Run run = run(Map.of(), "config", "--config", file.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("unknown key 'ws_port'").contains("ws-port");

        Run missing = run(Map.of(), "serve", "--config", dir.resolve("nope.yml").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("does not exist");

        Path nested = file("ws-port:\n  value: 1\n");
        assertThat(run(Map.of(), "config", "--config", nested.toString()).err()).contains("must have a single value");
    }

    @Test
    void keysAreTheOptionsOfServeNotThoseOfOtherCommands() throws Exception {
        for (String key : List.of("owner", "label", "private", "public")) {
            Run run = run(Map.of(), "config", "--config", file(key + ": x\n").toString());
            assertThat(run.exitCode()).as(key).isEqualTo(2);
            assertThat(run.err()).contains("unknown key '" + key + "'");
        }
        ServeProcess.Exit serve = ServeProcess.runUntilExit(dir.resolve("data"), "--ws-port", "0", "--http-port", "0",
                "--config", file("owner: x\n").toString());
        assertThat(serve.code()).isEqualTo(2);
        assertThat(serve.stderr()).contains("unknown key 'owner'");
    }

    @Test
    void tokenCommandsTakeTheStoreFromTheGatewaysFile() throws IOException {
        Path store = dir.resolve("store");
        Path file = file("data: " + store + "\nws-port: 9000\nlog-level: WARN\n");
        Run create = run(Map.of(), "token", "create", "--private", "--owner", "ops", "--config", file.toString());
        assertThat(create.exitCode()).as(create.err()).isZero();
        Run list = run(Map.of(), "token", "list", "--config", file.toString());
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).contains(" ops ");
        assertThat(store.resolve("felix.db")).exists();
    }

    @Test
    void aKeyGivenTwiceIsRefused() throws IOException {
        Path file = file("ws-port: 1111\nhttp-port: 2222\nws-port: 3333\n");
        Run run = run(Map.of(), "config", "--config", file.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("key 'ws-port' is given twice in " + file);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aValueTheOptionCannotTakeNamesTheFileAndKey() throws IOException {
        Path file = file("http-port: 8080\nws-port: abc\n");
        for (String command : List.of("config", "serve")) {
            Run run = run(Map.of(), command, "--config", file.toString());
            assertThat(run.exitCode()).as(command).isEqualTo(2);
            assertThat(run.err()).as(command).isEqualTo("felix: key 'ws-port' in " + file + ": 'abc' is not an int\n");
        }
        Run format = run(Map.of(), "config", "--config", file("log-format: xml\n").toString());
        assertThat(format.exitCode()).isEqualTo(2);
        assertThat(format.err()).startsWith("felix: key 'log-format' in " + file + ": expected one of [TEXT, JSON]")
                .doesNotContain("Usage");
    }

    @Test
    void configShowsItsOwnUsageForABadFlag() {
        Run run = run(Map.of(), "config", "--ws-port", "abc");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Invalid value for option '--ws-port': 'abc' is not an int")
                .contains("Usage: felix config ").doesNotContain("Usage: serve");
    }

    @Test
    void valuesOutOfRangeInTheFileNameTheFileAndKey() throws IOException {
        Path file = file("ws-port: 70000\nping-interval-ms: 0\n");
        for (String command : List.of("serve", "config")) {
            Run run = run(Map.of(), command, "--config", file.toString(), "--ping-interval-ms", "1000");
            assertThat(run.exitCode()).as(command).isEqualTo(2);
            assertThat(run.err()).as(command).isEqualTo("felix: key 'ws-port' in " + file + ": must be 0-65535, was 70000\n");
        }
        Run flagWins = run(Map.of(), "config", "--config", file.toString(), "--ws-port", "1");
        assertThat(flagWins.err()).isEqualTo("felix: key 'ping-interval-ms' in " + file + ": must be positive, was 0 ms\n");
    }

    @Test
    void valuesOutOfRangeInTheEnvironmentNameTheVariable() {
        Run run = run(Map.of("FELIX_MESSAGE_BURST", "0"), "config");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("felix: FELIX_MESSAGE_BURST must be at least 1, was 0\n");
    }

    @Test
    void aDatabaseUrlOfAnotherDatabaseNamesWhereItCameFrom() throws IOException {
        String refused = "must be a jdbc:postgresql: URL, or unset for the embedded SQLite store, "
                + "was 'jdbc:mysql://felix:****@db/felix'\n";
        Path file = file("db-url: jdbc:mysql://felix:pa/ss@db/felix\n");
        for (String command : List.of("serve", "config", "token list")) {
            List<String> args = new ArrayList<>(List.of(command.split(" ")));
            Run fromFile = run(Map.of(), concat(args, "--config", file.toString()));
            assertThat(fromFile.exitCode()).as(command).isEqualTo(2);
            assertThat(fromFile.err()).as(command).isEqualTo("felix: key 'db-url' in " + file + ": " + refused);
            Run fromEnv = run(Map.of("FELIX_DB_URL", "jdbc:mysql://felix:pa/ss@db/felix"), concat(args));
            assertThat(fromEnv.exitCode()).as(command).isEqualTo(2);
            assertThat(fromEnv.err()).as(command).isEqualTo("felix: FELIX_DB_URL " + refused);
        }
    }

    private static String[] concat(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void valuesOutOfRangeNameTheirOptionWithoutATrace() {
        Run run = run(Map.of(), "config", "--ping-interval-ms", "0");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("--ping-interval-ms must be positive, was 0 ms").doesNotContain("Exception");
        Run burst = run(Map.of(), "config", "--message-burst", "0");
        assertThat(burst.exitCode()).isEqualTo(2);
        assertThat(burst.err()).startsWith("--message-burst must be at least 1, was 0");
    }

    @Test
    void theRealEnvironmentWinsOverTheFileInAChildProcess() throws Exception {
        Path file = file("ws-port: 1111\nhttp-port: 2222\n");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FelixCommand.class.getName(),
                "config", "--config", file.toString());
        pb.environment().put("FELIX_HTTP_PORT", "5555");
        pb.environment().remove("FELIX_WS_PORT");
        pb.redirectErrorStream(true);
        Process process = pb.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        assertThat(out).containsPattern("(?m)^ws-port: 1111 +# file$").containsPattern("(?m)^http-port: 5555 +# env$");
        assertThat(List.of(out.split("\n"))).noneMatch(line -> line.startsWith("config:"));
    }
}
