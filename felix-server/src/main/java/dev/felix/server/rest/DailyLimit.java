package dev.felix.server.rest;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Counts requests per token over a rolling 24 hours. Each gateway node counts its own requests.
 * Thread-safe: one lock per token.
 */
final class DailyLimit {
    static final long WINDOW_MS = 24L * 60 * 60 * 1000;

    private final int limit;
    private final LongSupplier clock;
    private final Map<Long, ArrayDeque<Long>> used = new ConcurrentHashMap<>();

    /** @param clock milliseconds; the wall clock in the server, a settable one in tests */
    DailyLimit(int limit, LongSupplier clock) {
        this.limit = limit;
        this.clock = clock;
    }

    /**
     * Counts a request of this token if it is within the limit.
     *
     * @return 0 when the request was counted, else the seconds until the oldest counted request
     *         leaves the window (at least 1)
     */
    long acquire(long tokenId) {
        ArrayDeque<Long> times = used.computeIfAbsent(tokenId, id -> new ArrayDeque<>());
        synchronized (times) {
            long now = clock.getAsLong();
            while (!times.isEmpty() && times.peekFirst() <= now - WINDOW_MS) {
                times.pollFirst();
            }
            if (times.size() >= limit) {
                long waitMs = times.peekFirst() + WINDOW_MS - now;
                return Math.max(1, (waitMs + 999) / 1000);
            }
            times.addLast(now);
            return 0;
        }
    }

    int limit() {
        return limit;
    }
}
