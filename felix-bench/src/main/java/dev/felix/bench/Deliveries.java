package dev.felix.bench;

import org.HdrHistogram.ConcurrentHistogram;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The deliveries of a phase's measured writes to its listeners, timed from each write's send time,
 * and a wait for the last of them. The gateway answers a write before it hands the change to its
 * listeners, so when the last write is answered its deliveries may still be on the way, and they are
 * the slowest ones: a report taken then would leave them out of the latency and the count.
 */
final class Deliveries {
    /** How long the last deliveries may take after the last write was answered. */
    static final long TIMEOUT_SECONDS = 60;

    final ConcurrentHistogram latency = new ConcurrentHistogram(Result.MAX_MICROS, 3);
    private final AtomicLong count = new AtomicLong();
    private volatile long awaited = Long.MAX_VALUE;
    private final CountDownLatch reached = new CountDownLatch(1);

    private Deliveries() {
    }

    /** Counts, from now on, the deliveries to {@code listeners} of the writes sent within {@code window}. */
    static Deliveries of(List<Conn> listeners, Timing.Window window) {
        Deliveries deliveries = new Deliveries();
        for (Conn conn : listeners) {
            conn.onUpdate(text -> {
                long sent = Messages.sentAt(text);
                if (window.contains(sent)) {
                    deliveries.arrived(sent);
                }
            });
        }
        return deliveries;
    }

    /** One delivery of a measured write sent at {@code sentAt}; on any event loop. */
    private void arrived(long sentAt) {
        latency.recordValue(Math.min(Result.MAX_MICROS, (System.nanoTime() - sentAt) / 1000));
        // Counted once timed, so that the histogram holds every delivery the count has seen.
        if (count.incrementAndGet() >= awaited) {
            reached.countDown();
        }
    }

    /** Waits (at most {@link #TIMEOUT_SECONDS}) until {@code expected} deliveries have arrived; returns how many have. */
    long await(long expected) {
        // Either the last arrival sees this bound, or the check below sees that arrival.
        awaited = expected;
        try {
            if (count.get() < expected) {
                reached.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return count.get();
    }
}
