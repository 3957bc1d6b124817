package dev.felix.server.auth;

import dev.felix.server.testing.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Scoped and session tokens on one gateway with its SQLite store. */
class ScopedTokensTest extends ScopedTokensContract {
    private TestGateway gw;

    @BeforeEach
    void start() {
        gw = TestGateway.start();
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    @Override
    TestGateway a() {
        return gw;
    }

    @Override
    TestGateway b() {
        return gw;
    }
}
