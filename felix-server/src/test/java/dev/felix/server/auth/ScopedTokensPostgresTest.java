package dev.felix.server.auth;

import dev.felix.server.store.Access;
import dev.felix.server.testing.RunningPostgres;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.TestPostgres;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.felix.server.config.Settings.DB_URL;
import static dev.felix.server.config.Settings.TOKEN_POLL_INTERVAL;
import static org.assertj.core.api.Assertions.assertThat;

/** Scoped and session tokens minted on one PostgreSQL node and used on another. */
@RunningPostgres
class ScopedTokensPostgresTest extends ScopedTokensContract {
    private String url;
    private TestGateway a;
    private TestGateway b;

    @BeforeEach
    void startNodes(TestPostgres postgres) {
        url = postgres.newDatabase();
        a = TestGateway.start(c -> c.set(DB_URL, url));
        b = TestGateway.start(c -> c.set(DB_URL, url));
    }

    @AfterEach
    void stopNodes() {
        b.close();
        a.close();
    }

    @Override
    TestGateway a() {
        return a;
    }

    @Override
    TestGateway b() {
        return b;
    }

    @Test
    void aNodeThatHasNotReloadedItsTokensKnowsANewSessionTokenAtOnce() {
        try (TestGateway stale = TestGateway.start(c -> c.set(DB_URL, url).set(TOKEN_POLL_INTERVAL, Duration.ofHours(1)))) {
            // The minter is newer than the stale node's only reload too.
            String minter = scoped(Access.UNRESTRICTED);
            String token = json(mint(a, minter, "{\"guilds\":[\"11\"]}")).path("token").asText();
            assertThat(stale.http("GET", "/api/guilds?ids=11", token, null).statusCode()).isEqualTo(200);
            String other = json(mint(a, minter, "{}")).path("token").asText();
            try (WsTestClient ws = WsTestClient.connect(stale.wsUri(), other)) {
                assertThat(ws.sync()).isEmpty();
            }
            assertForbidden(stale.http("GET", "/api/status", "fxs_" + "A".repeat(43), null), "unknown");
        }
    }
}
