package dev.felix.bench;

import dev.felix.server.config.GatewayConfig;
import dev.felix.server.testing.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static dev.felix.server.config.Settings.MAX_MESSAGES_PER_SECOND;
import static dev.felix.server.config.Settings.MESSAGE_BURST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seconds-long soak runs against a real gateway, with every kind of client: a healthy server passes,
 * and a run whose clients are refused or dropped fails, saying which.
 */
class SoakRunTest {
    private TestGateway gw;
    private final StringWriter out = new StringWriter();

    private void start(UnaryOperator<GatewayConfig.Builder> limits) {
        gw = TestGateway.start(limits);
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    /** Runs {@code felix bench soak} in this process, its report going to {@link #out}; returns its exit code. */
    private int soak(String token, String... options) {
        List<String> args = new ArrayList<>(List.of("soak", "--url", "ws://127.0.0.1:" + gw.gateway.wsPort() + "/",
                "--http", "http://127.0.0.1:" + gw.gateway.httpPort(), "--token", token,
                "--server-pid", Long.toString(ProcessHandle.current().pid()),
                "--listeners", "3", "--writes-per-second", "20", "--storm", "2", "--slow", "1", "--pad", "512",
                "--report-every", "1"));
        args.addAll(List.of(options));
        return BenchCommand.commandLine().setOut(new PrintWriter(out, true)).execute(args.toArray(String[]::new));
    }

    /** The columns of the report's last interval line. */
    private String[] lastInterval() {
        List<String> lines = out.toString().lines().filter(l -> l.matches("\\s*\\d+\\s.*")).toList();
        assertThat(lines).as(out.toString()).isNotEmpty();
        return lines.get(lines.size() - 1).trim().split("\\s+");
    }

    @Test
    void aHealthyServerPassesWithWritesDeliveredToTheListeners() {
        start(b -> b);
        // The generous ACK timeout keeps a loaded machine from failing the run; the server answers in milliseconds.
        int exit = soak(gw.privateToken, "--duration", "4", "--ack-timeout", "60");
        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString()).contains("soak passed: no errors")
                .contains("heartbeat p50/p99/max").contains("rss(MiB)");
        String[] last = lastInterval();
        assertThat(Long.parseLong(last[1])).as("writes").isPositive();
        assertThat(Long.parseLong(last[2])).as("updates").isPositive();
        assertThat(last[5]).as("server RSS").matches("\\d+");
        assertThat(last[last.length - 1]).as("errors").isEqualTo("{}");
    }

    @Test
    void aWrongTokenFailsTheRunNamingTheRefusal() {
        start(b -> b);
        int exit = soak("fxp_not-a-token", "--duration", "2");
        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).contains("soak FAILED:").contains("listener connect=").contains("storm connect=")
                .contains("slow connect=").containsPattern("write 40[13]=")
                .contains("handshake refused with HTTP 403 (the token is unknown, revoked or public");
    }

    @Test
    void listenersTheServerClosesFailTheRun() {
        // One frame a second: a listener's listeners update and first heartbeat exceed it at once.
        start(b -> b.set(MAX_MESSAGES_PER_SECOND, 1).set(MESSAGE_BURST, 1));
        int exit = soak(gw.privateToken, "--duration", "2");
        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).contains("soak FAILED:").contains("listener dropped=")
                .contains("closed by the server with 1008 rate limit exceeded");
    }
}
