package dev.felix.server.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GatewayConfigTest {

    @Test
    void textMasksTheDatabasePasswordAndShowsEverythingElse() {
        GatewayConfig config = GatewayConfig.builder()
                .dbUrl("jdbc:postgresql://db/felix").dbUser("felix").dbPassword("hunter2").wsPort(9001).build();
        assertThat(config.toString())
                .doesNotContain("hunter2")
                .contains("dbPassword=****", "dbUser=felix", "wsPort=9001", "dbUrl=jdbc:postgresql://db/felix");
        assertThat(GatewayConfig.defaults().toString()).contains("dbPassword=null");
    }
}
