package dev.felix.server.cli;

import dev.felix.server.config.GatewayConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.time.Duration;

import static dev.felix.server.config.Settings.PUBLIC_DAILY_LIMIT;
import static dev.felix.server.config.Settings.STATUS_TTL;
import static org.assertj.core.api.Assertions.assertThat;

class ServeOptionsTest {

    private static GatewayConfig parse(String... args) {
        ServeCommand command = new ServeCommand();
        new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return command.config();
    }

    @Test
    void publicDailyLimitAndStatusTtlHaveDefaultsAndOptions() {
        GatewayConfig defaults = parse();
        assertThat(defaults.get(PUBLIC_DAILY_LIMIT)).isEqualTo(500);
        assertThat(defaults.get(STATUS_TTL)).isEqualTo(Duration.ofSeconds(30));

        GatewayConfig set = parse("--public-daily-limit", "20", "--status-ttl-ms", "1500");
        assertThat(set.get(PUBLIC_DAILY_LIMIT)).isEqualTo(20);
        assertThat(set.get(STATUS_TTL)).isEqualTo(Duration.ofMillis(1500));
    }
}
