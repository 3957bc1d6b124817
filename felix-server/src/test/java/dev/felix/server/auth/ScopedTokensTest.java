package dev.felix.server.auth;

import dev.felix.server.testing.RunningGateway;
import dev.felix.server.testing.TestGateway;

/** Scoped and session tokens on one gateway with its SQLite store. */
@RunningGateway
class ScopedTokensTest extends ScopedTokensContract {
    private TestGateway gw;

    @Override
    TestGateway a() {
        return gw;
    }

    @Override
    TestGateway b() {
        return gw;
    }
}
