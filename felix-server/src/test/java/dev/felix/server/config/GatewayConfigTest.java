package dev.felix.server.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static dev.felix.server.config.Settings.CHANGE_LOG_RETENTION;
import static dev.felix.server.config.Settings.DATA;
import static dev.felix.server.config.Settings.DB_PASSWORD;
import static dev.felix.server.config.Settings.DB_URL;
import static dev.felix.server.config.Settings.DB_USER;
import static dev.felix.server.config.Settings.MESSAGE_BURST;
import static dev.felix.server.config.Settings.PING_INTERVAL;
import static dev.felix.server.config.Settings.WS_PORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewayConfigTest {

    @Test
    void textMasksTheDatabasePasswordAndShowsEverythingElse() {
        GatewayConfig config = GatewayConfig.builder().set(DB_URL, "jdbc:postgresql://db/felix")
                .set(DB_USER, "felix").set(DB_PASSWORD, "hunter2").set(WS_PORT, 9001).build();
        assertThat(config.toString())
                .doesNotContain("hunter2")
                .contains("db-password=****", "db-user=felix", "ws-port=9001", "db-url=jdbc:postgresql://db/felix");
        assertThat(GatewayConfig.defaults().toString()).contains("db-password=null");
    }

    @Test
    void textMasksAPasswordInsideTheDatabaseUrl() {
        assertThat(GatewayConfig.builder()
                .set(DB_URL, "jdbc:postgresql://db/felix?user=felix&password=hunter2&ssl=true").build().toString())
                .doesNotContain("hunter2").contains("db-url=jdbc:postgresql://db/felix?user=felix&password=****&ssl=true");
        assertThat(GatewayConfig.builder().set(DB_URL, "jdbc:postgresql://felix:hun@ter2@db/felix").build().toString())
                .doesNotContain("ter2").contains("db-url=jdbc:postgresql://felix:****@db/felix");
        assertThat(DB_URL.masked("postgresql://felix:hunter2@db/felix")).isEqualTo("postgresql://felix:****@db/felix");
    }

    @Test
    void theWholePasswordOfTheUserInfoIsMaskedWhateverItHolds() {
        assertThat(DB_URL.masked("jdbc:postgresql://user:pa/ss@host/db")).isEqualTo("jdbc:postgresql://user:****@host/db");
        assertThat(DB_URL.masked("jdbc:postgresql://user:p/a?s#s@db:5432,[::1]:5433/felix?ssl=true"))
                .isEqualTo("jdbc:postgresql://user:****@db:5432,[::1]:5433/felix?ssl=true");
        assertThat(DB_URL.masked("jdbc:postgresql://user:pa/s@s@felix_db")).isEqualTo("jdbc:postgresql://user:****@felix_db");
        assertThat(DB_URL.masked("jdbc:postgresql://felix@srv:hunter2@db/felix"))
                .isEqualTo("jdbc:postgresql://felix@srv:****@db/felix");
        // An @ in the parameters (an Azure-style user) is not taken for the end of a user info.
        assertThat(DB_URL.masked("jdbc:postgresql://u:pa/ss@db/felix?user=felix@srv&password=hunter2"))
                .isEqualTo("jdbc:postgresql://u:****@db/felix?user=felix@srv&password=****");
        // When it cannot tell, it masks more than the password rather than less.
        assertThat(DB_URL.masked("jdbc:postgresql://u:pa/ss@db/felix?user=felix@srv"))
                .isEqualTo("jdbc:postgresql://u:****@srv");
        // Nor does a host it cannot read.
        assertThat(DB_URL.masked("jdbc:postgresql://u:pa/ss@db\\x/felix")).isEqualTo("jdbc:postgresql://u:****@db\\x/felix");
        assertThat(DB_URL.masked("jdbc:postgresql://felix@db:5432/felix")).isEqualTo("jdbc:postgresql://felix@db:5432/felix");
        assertThat(DB_URL.masked("jdbc:postgresql://db:5432/felix")).isEqualTo("jdbc:postgresql://db:5432/felix");
    }

    @Test
    void aDatabaseUrlOtherThanPostgresqlIsRefusedWithoutItsPassword() {
        assertThatThrownBy(() -> GatewayConfig.builder().set(DB_URL, "jdbc:mysql://felix:pa/ss@db/felix").build())
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("db-url must be a jdbc:postgresql: URL, or unset for the embedded SQLite store, was "
                        + "'jdbc:mysql://felix:****@db/felix'");
        assertThatThrownBy(() -> GatewayConfig.builder().set(DB_URL, "jdbc:sqlite:felix.db").build())
                .isInstanceOf(InvalidSettingException.class).hasMessageEndingWith("was 'jdbc:sqlite:felix.db'");
        assertThat(GatewayConfig.builder().set(DB_URL, null).build().usesPostgres()).isFalse();
    }

    @Test
    void aValueOutOfRangeNamesItsSettingAndTheRange() {
        assertThatThrownBy(() -> GatewayConfig.builder().set(WS_PORT, 70000).build())
                .isInstanceOf(InvalidSettingException.class).hasMessage("ws-port must be 0-65535, was 70000");
        assertThatThrownBy(() -> GatewayConfig.builder().set(MESSAGE_BURST, 0).build())
                .hasMessage("message-burst must be at least 1, was 0");
        assertThatThrownBy(() -> GatewayConfig.builder().set(PING_INTERVAL, Duration.ZERO).build())
                .hasMessage("ping-interval-ms must be positive, was 0 ms");
        assertThatThrownBy(() -> GatewayConfig.builder().set(CHANGE_LOG_RETENTION, Duration.ofMinutes(-5)).build())
                .hasMessage("change-log-retention-minutes must be positive, was -5 min");
        assertThatThrownBy(() -> GatewayConfig.builder().set(DATA, null).build())
                .hasMessage("data must be set");
    }

    @Test
    void aCopyKeepsEveryValueAndChangesOnlyWhatItSets() {
        GatewayConfig config = GatewayConfig.builder().set(DATA, Path.of("elsewhere")).set(WS_PORT, 9001).build();
        GatewayConfig copy = config.toBuilder().set(WS_PORT, 9002).build();
        assertThat(copy.get(DATA)).isEqualTo(Path.of("elsewhere"));
        assertThat(copy.get(WS_PORT)).isEqualTo(9002);
        assertThat(config.get(WS_PORT)).isEqualTo(9001);
        assertThat(copy.toBuilder().set(WS_PORT, 9001).build()).isEqualTo(config);
    }
}
