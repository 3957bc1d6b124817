package dev.felix.server.security;

import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.TestLog;
import org.junit.jupiter.api.Test;

import static dev.felix.server.config.Settings.HOST;
import static org.assertj.core.api.Assertions.assertThat;

/** A gateway that other machines reach in plain text says so at start; one on loopback does not. */
class PlainTextWarningTest {
    private static final String WARNING = "reachable from other machines: tokens and entries travel unencrypted";

    @Test
    void everyInterfaceWithoutTlsIsWarnedAbout() {
        TestLog log = TestLog.mark();
        try (TestGateway gw = TestGateway.start(b -> b.set(HOST, "0.0.0.0"))) {
            assertThat(log.since()).contains("WARN").contains("plain ws:// and http:// on 0.0.0.0, " + WARNING)
                    .contains("--tls-cert and --tls-key");
        }
    }

    @Test
    void loopbackIsNot() {
        TestLog log = TestLog.mark();
        try (TestGateway gw = TestGateway.start(b -> b.set(HOST, "localhost"))) {
            assertThat(log.since()).contains("Felix's WebSocket on ws://localhost:").doesNotContain(WARNING);
        }
    }
}
