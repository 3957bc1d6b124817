package dev.felix.client.internal;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {
    private static Backoff backoff(double random) {
        return new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> random);
    }

    @Test
    void doublesPerAttemptUpToTheCap() {
        assertThat(backoff(0.999999).delay(0)).isEqualTo(Duration.ofMillis(99));
        assertThat(backoff(0.999999).delay(3)).isEqualTo(Duration.ofMillis(799));
        assertThat(backoff(0.999999).delay(20)).isEqualTo(Duration.ofMillis(4999));
        assertThat(backoff(0.999999).delay(200)).isEqualTo(Duration.ofMillis(4999));
    }

    @Test
    void jitterKeepsAtLeastHalfOfTheDelay() {
        assertThat(backoff(0).delay(0)).isEqualTo(Duration.ofMillis(50));
        assertThat(backoff(0).delay(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(backoff(0).delay(20)).isEqualTo(Duration.ofMillis(2500));
    }
}
