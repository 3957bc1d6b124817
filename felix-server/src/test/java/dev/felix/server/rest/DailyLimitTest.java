package dev.felix.server.rest;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class DailyLimitTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final DailyLimit limit = new DailyLimit(2, now::get);

    @Test
    void allowsTheLimitThenTellsHowLongToWait() {
        assertThat(limit.acquire(1)).isZero();
        now.addAndGet(60_000);
        assertThat(limit.acquire(1)).isZero();
        assertThat(limit.acquire(1)).isEqualTo(DailyLimit.WINDOW_MS / 1000 - 60);
        assertThat(limit.acquire(2)).as("another token has its own count").isZero();
    }

    @Test
    void theWindowRolls() {
        limit.acquire(1);
        now.addAndGet(3_600_000);
        limit.acquire(1);
        now.addAndGet(DailyLimit.WINDOW_MS - 3_600_000 - 1);
        assertThat(limit.acquire(1)).as("the first request is still in the window").isEqualTo(1);
        now.addAndGet(1);
        assertThat(limit.acquire(1)).as("the first request left the window").isZero();
        assertThat(limit.acquire(1)).as("the second and third are in it").isEqualTo(3600);
    }

    @Test
    void refusedRequestsAreNotCounted() {
        limit.acquire(1);
        limit.acquire(1);
        for (int i = 0; i < 10; i++) {
            assertThat(limit.acquire(1)).isPositive();
        }
        now.addAndGet(DailyLimit.WINDOW_MS);
        assertThat(limit.acquire(1)).isZero();
        assertThat(limit.acquire(1)).isZero();
        assertThat(limit.acquire(1)).isPositive();
    }
}
