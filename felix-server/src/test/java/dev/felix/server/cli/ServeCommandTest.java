package dev.felix.server.cli;

import dev.felix.server.store.Scope;
import dev.felix.server.store.Tokens;
import dev.felix.server.store.sqlite.SqliteStore;
import dev.felix.server.testing.ServeProcess;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code felix serve} as a separate process: first-start token, SIGTERM. */
class ServeCommandTest {

    private static URI ws(ServeProcess serve) {
        return URI.create("ws://127.0.0.1:" + serve.wsPort + "/");
    }

    @Test
    void firstStartMintsAPrivateTokenAndPrintsItOnceFramed(@TempDir Path dir) throws Exception {
        List<String> printed = new ArrayList<>();
        String token;
        try (ServeProcess serve = ServeProcess.start(dir)) {
            String rule = serve.nextStdoutLine();
            assertThat(rule).matches("=+").hasSizeGreaterThanOrEqualTo(40);
            printed.add(rule);
            for (String line; !(line = serve.nextStdoutLine()).equals(rule); ) {
                printed.add(line);
            }
            printed.add(rule);
            List<String> tokens = printed.stream().map(String::strip).filter(l -> l.matches("fxp_[A-Za-z0-9_-]{43}"))
                    .toList();
            assertThat(tokens).hasSize(1);
            token = tokens.get(0);
            // Started without a launcher naming itself, the hint names the source checkout's.
            assertThat(printed).contains("Mint more with: ./felix token create --private --owner ID");

            try (WsTestClient client = WsTestClient.connect(ws(serve), token)) {
                assertThat(client.sync()).isEmpty();
            }
            assertThat(serve.terminate()).isZero();
            assertThat(serve.remainingStdout()).isEmpty();
            assertThat(String.join("\n", serve.stderr)).doesNotContain(token);
        }

        try (ServeProcess again = ServeProcess.start(dir)) {
            try (WsTestClient client = WsTestClient.connect(ws(again), token)) {
                assertThat(client.sync()).isEmpty();
            }
            assertThat(again.terminate()).isZero();
            assertThat(again.remainingStdout()).isEmpty();
        }
    }

    @Test
    void anUnknownLogLevelIsRefusedBeforeStarting(@TempDir Path dir) throws Exception {
        ServeProcess.Exit exit = ServeProcess.runUntilExit(dir, "--ws-port", "0", "--http-port", "0",
                "--log-level", "bogus");
        assertThat(exit.code()).isEqualTo(2);
        assertThat(exit.stderr()).contains("--log-level").contains("[TRACE, DEBUG, INFO, WARN, ERROR]")
                .contains("'bogus'").doesNotContain("\tat ");
        assertThat(exit.stdout()).isEmpty();
    }

    @Test
    void aDatabaseUrlOfAnotherDatabaseIsRefusedNamingTheOptionWithoutItsPassword(@TempDir Path dir) throws Exception {
        for (String url : List.of("jdbc:mysql://felix:pa/ss@db/felix", "foo")) {
            ServeProcess.Exit exit = ServeProcess.runUntilExit(dir, "--ws-port", "0", "--http-port", "0",
                    "--db-url=" + url);
            String masked = url.replace("pa/ss", "****");
            assertThat(exit.code()).as(url).isEqualTo(2);
            assertThat(exit.stderr()).as(url).startsWith("--db-url must be a jdbc:postgresql: URL, or unset for the "
                    + "embedded SQLite store, was '" + masked + "'\n")
                    .doesNotContain("pa/ss").doesNotContain("\tat ").doesNotContain("Exception");
            assertThat(exit.stdout()).as("no token minted without a gateway").isEmpty();
        }
    }

    @Test
    void aPortInUseIsOneLineNamingItAndExitsOne(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            String port = String.valueOf(taken.getLocalPort());
            ServeProcess.Exit ws = ServeProcess.runUntilExit(dir, "--ws-port", port, "--http-port", "0");
            ServeProcess.Exit rest = ServeProcess.runUntilExit(dir, "--ws-port", "0", "--http-port", port);

            assertThat(ws.code()).isEqualTo(1);
            assertThat(ws.stderr()).containsPattern("(?m)^felix: cannot open the WebSocket port " + port
                    + " on 127\\.0\\.0\\.1 \\(--ws-port\\): .*(?i:address already in use)$");
            assertThat(rest.code()).isEqualTo(1);
            assertThat(rest.stderr()).containsPattern("(?m)^felix: cannot open the REST port " + port
                    + " on 127\\.0\\.0\\.1 \\(--http-port\\): .*(?i:address already in use)$");
            for (ServeProcess.Exit exit : List.of(ws, rest)) {
                assertThat(exit.stderr()).doesNotContain("\tat ").doesNotContain("Exception");
                assertThat(exit.stdout()).as("no token minted without a gateway").isEmpty();
            }
        }
    }

    @Test
    void sigtermClosesEverySocketWith1001AndExitsZero(@TempDir Path dir) throws Exception {
        String token;
        try (SqliteStore store = SqliteStore.open(dir)) {
            token = Tokens.mint(store, Scope.PRIVATE, "ops", null).token();
        }
        try (ServeProcess serve = ServeProcess.start(dir, "--ping-interval-ms", "60000")) {
            WsTestClient a = WsTestClient.connect(ws(serve), token, "sigterm-a");
            WsTestClient b = WsTestClient.connect(ws(serve), token, "sigterm-b");
            try {
                a.sync();
                b.sync();
                assertThat(serve.terminate()).isZero();
                assertThat(serve.remainingStdout()).as("no token minted: one existed").isEmpty();
                for (WsTestClient client : List.of(a, b)) {
                    assertThat(client.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(1001);
                }
                assertThat(String.join("\n", serve.stderr)).contains("shutting down").contains("gateway stopped");
            } finally {
                a.close();
                b.close();
            }
        }
    }
}
