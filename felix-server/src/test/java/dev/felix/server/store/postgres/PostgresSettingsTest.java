package dev.felix.server.store.postgres;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class PostgresSettingsTest {
    @Test
    void theSafeUrlShowsNoPartOfAPasswordHoldingAQuestionMark() {
        PostgresSettings settings = new PostgresSettings("jdbc:postgresql://felix:hun?ter2@db/felix?ssl=true", null,
                null, Duration.ofHours(1), Duration.ofSeconds(1));
        assertThat(settings.safeUrl()).isEqualTo("jdbc:postgresql://felix:****@db/felix");
        assertThat(settings.toString()).doesNotContain("hun").doesNotContain("ter2");
    }
}
