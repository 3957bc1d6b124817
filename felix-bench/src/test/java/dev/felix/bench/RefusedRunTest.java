package dev.felix.bench;

import dev.felix.server.config.GatewayConfig;
import dev.felix.server.testing.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;
import java.util.function.UnaryOperator;

import static dev.felix.server.config.Settings.MAX_CONNECTIONS_PER_TOKEN;
import static dev.felix.server.config.Settings.MAX_MESSAGES_PER_SECOND;
import static dev.felix.server.config.Settings.MESSAGE_BURST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A run against a gateway whose limits refuse or close some of its connections fails, saying why
 * and which option lifts it, instead of reporting numbers for fewer clients than asked.
 */
class RefusedRunTest {
    private TestGateway gw;

    private void start(UnaryOperator<GatewayConfig.Builder> limits) {
        gw = TestGateway.start(limits);
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    private String[] heartbeat(String... options) {
        String[] target = {"--url", "ws://127.0.0.1:" + gw.gateway.wsPort() + "/", "--http",
                "http://127.0.0.1:" + gw.gateway.httpPort(), "--token", gw.privateToken};
        String[] args = new String[target.length + options.length];
        System.arraycopy(target, 0, args, 0, target.length);
        System.arraycopy(options, 0, args, target.length, options.length);
        return args;
    }

    /** Runs the heartbeat scenario in this process and returns why it failed. */
    private static String failure(String[] args) {
        HeartbeatScenario scenario = new HeartbeatScenario();
        new CommandLine(scenario).parseArgs(args);
        Throwable thrown = catchThrowable(() -> Runner.run(scenario, scenario.target, List.of(args)));
        assertThat(thrown).isInstanceOf(Runner.RunFailed.class);
        return thrown.getMessage();
    }

    @Test
    void handshakesRefusedForThePerTokenLimitFailTheRunAndNameTheOption() {
        start(b -> b.set(MAX_CONNECTIONS_PER_TOKEN, 2));
        String[] args = heartbeat("--clients", "5", "--duration", "1", "--warmup", "0", "--shards", "1");
        assertThat(failure(args)).contains("3 connections: handshake refused with HTTP 429")
                .contains("--max-connections-per-token");
        assertThat(new CommandLine(new HeartbeatScenario()).execute(args)).isEqualTo(1);
    }

    @Test
    void socketsClosedForTheFrameRateFailTheRun() {
        start(b -> b.set(MAX_MESSAGES_PER_SECOND, 1).set(MESSAGE_BURST, 1).set(MAX_CONNECTIONS_PER_TOKEN, 100));
        assertThat(failure(heartbeat("--clients", "2", "--rate", "max", "--duration", "1", "--warmup", "0", "--shards", "1")))
                .contains("closed by the server with 1008 rate limit exceeded")
                .contains("--max-messages-per-second and --message-burst");
    }
}
