package dev.felix.server.cli;

import dev.felix.protocol.EntryKind;
import dev.felix.server.config.GatewayConfig;
import dev.felix.server.store.Scope;
import dev.felix.server.store.TokenRecord;
import dev.felix.server.store.sqlite.SqliteStore;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.TestLog;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.felix.server.config.Settings.TOKEN_POLL_INTERVAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code felix token create|list|revoke}, run in-process as the launcher runs them. */
class TokenCommandTest {
    private static final String TOKEN = "fx[pu]_[A-Za-z0-9_-]{43}";

    record Run(int exitCode, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        String lastLine() {
            List<String> lines = lines();
            return lines.get(lines.size() - 1);
        }
    }

    static Run felix(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = FelixCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static List<TokenRecord> stored(Path dir) {
        try (SqliteStore store = SqliteStore.open(dir)) {
            return store.listTokens();
        }
    }

    @Test
    void createPrintsTheTokenAsTheLastLineAndStoresOwnerScopeAndLabel(@TempDir Path dir) {
        Run priv = felix("token", "create", "--private", "--owner", "123456789012345678", "--label", "dashboard",
                "--data", dir.toString());
        assertThat(priv.exitCode()).isZero();
        assertThat(priv.lastLine()).matches(TOKEN).startsWith("fxp_");
        Run pub = felix("token", "create", "--public", "--owner", "team-x", "--data", dir.toString());
        assertThat(pub.exitCode()).isZero();
        assertThat(pub.lastLine()).matches(TOKEN).startsWith("fxu_");

        List<TokenRecord> tokens = stored(dir);
        assertThat(tokens).extracting(TokenRecord::owner).containsExactly("123456789012345678", "team-x");
        assertThat(tokens).extracting(TokenRecord::scope).containsExactly(Scope.PRIVATE, Scope.PUBLIC);
        assertThat(tokens).extracting(TokenRecord::label).containsExactly("dashboard", null);
        assertThat(TestLog.read()).doesNotContain(priv.lastLine()).doesNotContain(pub.lastLine());
    }

    @Test
    void createNeedsExactlyOneScopeAndAnOwner(@TempDir Path dir) {
        assertThat(felix("token", "create", "--private", "--public", "--owner", "x", "--data", dir.toString())
                .exitCode()).isEqualTo(2);
        assertThat(felix("token", "create", "--owner", "x", "--data", dir.toString()).exitCode()).isEqualTo(2);
        Run noOwner = felix("token", "create", "--private", "--data", dir.toString());
        assertThat(noOwner.exitCode()).isEqualTo(2);
        assertThat(noOwner.err()).contains("--owner");
        assertThat(stored(dir)).isEmpty();
    }

    @Test
    void listShowsEveryColumnButNeverTheToken(@TempDir Path dir) {
        String first = felix("token", "create", "--private", "--owner", "alice", "--label", "dash",
                "--data", dir.toString()).lastLine();
        String second = felix("token", "create", "--public", "--owner", "bob", "--data", dir.toString()).lastLine();
        felix("token", "revoke", "1", "--data", dir.toString());

        Run list = felix("token", "list", "--data", dir.toString());
        assertThat(list.exitCode()).isZero();
        assertThat(list.lines().get(0).split("\\s+")).containsExactly("ID", "OWNER", "KIND", "SCOPE", "LABEL",
                "CREATED", "EXPIRES", "REVOKED");
        String[] alice = list.lines().get(1).split("\\s+");
        assertThat(alice).hasSize(8);
        assertThat(alice[0]).isEqualTo("1");
        assertThat(alice[1]).isEqualTo("alice");
        assertThat(alice[2]).isEqualTo("private");
        assertThat(alice[3]).isEqualTo("all");
        assertThat(alice[4]).isEqualTo("dash");
        assertThat(alice[5]).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(alice[6]).isEqualTo("-");
        assertThat(alice[7]).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        String[] bob = list.lines().get(2).split("\\s+");
        assertThat(bob).containsExactly("2", "bob", "public", "all;read-only", "-", bob[5], "-", "-");
        assertThat(list.out()).doesNotContain(first).doesNotContain(second)
                .doesNotContain(first.substring(4)).doesNotContain(second.substring(4));
    }

    @Test
    void scopedAndReadOnlyTokensShowTheirScope(@TempDir Path dir) {
        Run created = felix("token", "create", "--private", "--owner", "carol", "--guilds", "11,12", "--users", "21",
                "--data", dir.toString());
        assertThat(created.exitCode()).isZero();
        assertThat(created.out()).contains("scope guilds=11,12;users=21");
        felix("token", "create", "--private", "--owner", "dave", "--guilds", "11", "--read-only",
                "--data", dir.toString());
        felix("token", "create", "--private", "--owner", "erin", "--read-only", "--data", dir.toString());

        Run list = felix("token", "list", "--data", dir.toString());
        assertThat(list.lines().get(1).split("\\s+")[3]).isEqualTo("guilds=11,12;users=21");
        assertThat(list.lines().get(2).split("\\s+")[3]).isEqualTo("guilds=11;users=-;read-only");
        assertThat(list.lines().get(3).split("\\s+")[3]).isEqualTo("all;read-only");
        assertThat(stored(dir).get(0).access().includes(EntryKind.GUILD, "12")).isTrue();
        assertThat(stored(dir).get(0).access().includes(EntryKind.USER, "22")).isFalse();

        Run bad = felix("token", "create", "--private", "--owner", "x", "--guilds", "abc", "--data", dir.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("snowflake");
    }

    @Test
    void revokeMarksTheTokenAndRefusesAnUnknownId(@TempDir Path dir) {
        felix("token", "create", "--private", "--owner", "alice", "--data", dir.toString());
        Run revoke = felix("token", "revoke", "1", "--data", dir.toString());
        assertThat(revoke.exitCode()).isZero();
        assertThat(revoke.out()).contains("Revoked token 1");
        assertThat(stored(dir).get(0).revoked()).isNotNull();

        Run again = felix("token", "revoke", "1", "--data", dir.toString());
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("No valid token has id 1");
        assertThat(felix("token", "revoke", "77", "--data", dir.toString()).exitCode()).isEqualTo(1);
    }

    /**
     * The promise is: accepted or refused within 1 s, sockets closed within 2 s. A running gateway
     * sees token changes at its next poll, so the default interval must leave room for that.
     */
    @Test
    void defaultPollIntervalKeepsTheOneSecondPromise() {
        assertThat(GatewayConfig.defaults().get(TOKEN_POLL_INTERVAL)).isLessThanOrEqualTo(Duration.ofMillis(500));
    }

    /**
     * With the default poll interval, on a shared and busy machine: the timeouts here are generous
     * on purpose; the bound itself comes from the poll interval checked above.
     */
    @Test
    void commandsTakeEffectOnARunningGateway() {
        Duration poll = GatewayConfig.defaults().get(TOKEN_POLL_INTERVAL);
        try (TestGateway gw = TestGateway.start(b -> b.set(TOKEN_POLL_INTERVAL, poll))) {
            String data = gw.dataDir.toString();
            String token = felix("token", "create", "--private", "--owner", "live", "--data", data).lastLine();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(25))
                    .until(() -> WsTestClient.refusedStatus(gw.wsUri(), token) == 101);

            List<WsTestClient> open = new ArrayList<>();
            try {
                open.add(WsTestClient.connect(gw.wsUri(), token));
                open.add(WsTestClient.connect(gw.wsUri(), token));
                WsTestClient otherToken = gw.connect();
                open.add(otherToken);
                long id = gw.gateway.tokens().find(token).id();

                assertThat(felix("token", "revoke", String.valueOf(id), "--data", data).exitCode()).isZero();
                for (WsTestClient client : open.subList(0, 2)) {
                    WsTestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
                    assertThat(close.code()).isEqualTo(1008);
                    assertThat(close.reason()).isEqualTo("token revoked");
                }
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(25))
                        .until(() -> WsTestClient.refusedStatus(gw.wsUri(), token) == 403);
                assertThat(otherToken.sync()).isEmpty();
            } finally {
                open.forEach(WsTestClient::close);
            }
        }
    }
}
