package dev.felix.server.security;

import dev.felix.server.store.Scope;
import dev.felix.server.store.Tokens;
import dev.felix.server.testing.ServeProcess;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.TestLog;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TokenSecrecyTest {
    private static final String HEARTBEAT = "{\"code\":20001}";

    @Test
    void databaseFilesHoldTokenHashesButNoPlainToken() {
        TestGateway gw = TestGateway.start();
        Path dir = gw.dataDir;
        List<String> tokens = List.of(gw.privateToken, gw.publicToken, gw.mint(Scope.PRIVATE, "another"));
        try (gw; WsTestClient client = gw.connect()) {
            client.send(HEARTBEAT);
            client.next();
            assertThat(gw.http("PUT", "/api/guilds/5", gw.privateToken, "{\"a\":1}").statusCode()).isEqualTo(200);
            // While running, recent commits sit in the WAL file; after close they are in the main file.
            String running = allFiles(dir);
            tokens.forEach(t -> assertThat(running).doesNotContain(t));
            gw.gateway.close();
            String closed = allFiles(dir);
            for (String token : tokens) {
                assertThat(closed).doesNotContain(token);
                assertThat(closed).contains(Tokens.hash(token));
            }
        }
    }

    @Test
    void tokensNeverAppearInTheLog() {
        TestLog log = TestLog.mark();
        String unknown = Tokens.generate(Scope.PRIVATE);
        String revoked;
        try (TestGateway gw = TestGateway.start()) {
            revoked = gw.mint(Scope.PRIVATE, "leaver");
            try (WsTestClient client = gw.connect(); WsTestClient leaving = WsTestClient.connect(gw.wsUri(), revoked)) {
                client.send(HEARTBEAT);
                client.next();
                assertThat(WsTestClient.refusedStatus(gw.wsUri(), gw.publicToken)).isEqualTo(403);
                assertThat(WsTestClient.refusedStatus(gw.wsUri(), unknown)).isEqualTo(403);
                assertThat(WsTestClient.refusedStatus(gw.wsUri(), "Bearer " + gw.privateToken)).isEqualTo(403);
                assertThat(gw.http("PUT", "/api/guilds/6", gw.privateToken, "{}").statusCode()).isEqualTo(200);
                assertThat(gw.http("GET", "/api/guilds/6", gw.publicToken, null).statusCode()).isEqualTo(200);
                assertThat(gw.http("PUT", "/api/guilds/6", gw.publicToken, "{}").statusCode()).isEqualTo(403);
                assertThat(gw.http("GET", "/api/guilds/6", unknown, null).statusCode()).isEqualTo(403);
                assertThat(gw.http("GET", "/api/guilds/x", gw.privateToken, null).statusCode()).isEqualTo(400);

                long id = gw.gateway.tokens().find(revoked).id();
                gw.gateway.store().revokeToken(id);
                gw.gateway.tokens().reload();
                assertThat(leaving.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(1008);
            }
            String logged = log.since();
            assertThat(logged).contains("refused").contains("revoked");
            for (String token : List.of(gw.privateToken, gw.publicToken, unknown, revoked)) {
                assertThat(logged).doesNotContain(token);
                assertThat(logged).doesNotContain(token.substring(4, 20));
            }
        }
    }

    @Test
    void tokenMintedOnFirstStartIsPrintedButNotLogged(@TempDir Path dir) throws Exception {
        try (ServeProcess server = ServeProcess.start(dir)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> server.mintedToken() != null);
            String token = server.mintedToken();
            try (WsTestClient client = WsTestClient.connect(server.wsUri(), token)) {
                client.send(HEARTBEAT);
                assertThat(client.next().path("code").asInt()).isEqualTo(10001);
            }
            assertThat(server.http("PUT", "/api/guilds/8", token, "{}").statusCode()).isEqualTo(200);
            server.sigterm();
            assertThat(server.process.waitFor(15, TimeUnit.SECONDS)).isTrue();

            String logged = server.log();
            assertThat(logged).contains("shutting down");
            assertThat(logged).doesNotContain(token);
            assertThat(allFiles(dir)).doesNotContain(token);
        }
    }

    /** Every file of the data directory as one string (bytes as ISO-8859-1, so nothing is lost). */
    private static String allFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            StringBuilder all = new StringBuilder();
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                all.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).append('\n');
            }
            return all.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
