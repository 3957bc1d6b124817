package dev.felix.server.ws;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.felix.server.testing.RawWebSocket;
import dev.felix.server.testing.RunningGateway;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.TestLog;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A client that resets its connection is no warning; a fault in the gateway's handlers is one. */
@RunningGateway
class SocketErrorsTest {
    private static TestGateway gw;

    @Test
    void aResetInTheMiddleOfTheHandshakeIsNoWarning() throws Exception {
        String log = afterReset(Handshake.class, "handshake error from", () -> {
            RawWebSocket raw = RawWebSocket.open(gw.gateway.wsPort(), 0);
            raw.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
            raw.reset();
        });
        assertThat(log).doesNotContainPattern("WARN .* Handshake - ");
    }

    @Test
    void aResetOfAnOpenSocketIsNoWarning() throws Exception {
        String log = afterReset(Session.class, "socket error from", () -> {
            RawWebSocket raw = RawWebSocket.connect(gw.gateway.wsPort(), gw.privateToken);
            raw.reset();
        });
        assertThat(log).doesNotContainPattern("WARN .* Session - ");
    }

    @Test
    void resetsTlsFailuresAndAnsweredFramesAreOrdinaryAndAnythingElseIsNot() {
        assertThat(SocketErrors.ordinary(new SocketException("Connection reset"))).isTrue();
        assertThat(SocketErrors.ordinary(new DecoderException(new SSLHandshakeException("no cipher suites in common"))))
                .isTrue();
        assertThat(SocketErrors.ordinary(new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR,
                "unmasked client frame"))).isTrue();
        assertThat(SocketErrors.ordinary(new IllegalStateException("a bug"))).isFalse();
        assertThat(SocketErrors.ordinary(new RuntimeException(new NullPointerException()))).isFalse();
    }

    private interface Reset {
        void run() throws IOException;
    }

    /**
     * What is logged while a client resets its connection, with the handler's debug lines on: the
     * debug line shows the reset reached the handler, so the absence of a warning means something.
     */
    private static String afterReset(Class<?> handler, String debugLine, Reset reset) throws IOException {
        Logger logger = (Logger) LoggerFactory.getLogger(handler);
        Level before = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        try {
            TestLog log = TestLog.mark();
            reset.run();
            await().atMost(Duration.ofSeconds(20)).until(() -> log.since().contains(debugLine));
            return log.since();
        } finally {
            logger.setLevel(before);
        }
    }
}
