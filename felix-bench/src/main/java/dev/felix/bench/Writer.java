package dev.felix.bench;

import io.vertx.core.AsyncResult;
import io.vertx.core.http.HttpMethod;
import org.HdrHistogram.ConcurrentHistogram;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Writes guild entries over REST, each carrying its send time, either at a fixed rate (open
 * loop: a slow server does not slow the schedule, up to {@code maxInFlight}) or as fast as
 * {@code concurrency} requests in flight allow.
 */
final class Writer {
    private static final long TICK_MS = 2;

    private final Clients clients;
    private final List<String> guilds;
    private final String padding;
    final ConcurrentHistogram latency = new ConcurrentHistogram(Result.MAX_MICROS, 3);
    final LongAdder ok = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder skipped = new LongAdder();
    private volatile Timing.Window measured;
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private volatile boolean stopped;
    /** Failed writes by what answered them: the HTTP status, or the exception of a request that got no answer. */
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();

    Writer(Clients clients, List<String> guilds, int bodyBytes) {
        this.clients = clients;
        this.guilds = guilds;
        this.padding = "x".repeat(Math.max(0, bodyBytes - 80));
    }

    /** Counts and times the writes sent in {@code window}; others go unrecorded. */
    void measure(Timing.Window window) {
        measured = window;
    }

    /** Starts writing; {@code perSecond} 0 means as fast as {@code concurrency} allows. */
    void start(double perSecond, int concurrency, int maxInFlight) {
        if (perSecond <= 0) {
            for (int i = 0; i < concurrency; i++) {
                loop();
            }
            return;
        }
        long t0 = System.nanoTime();
        long[] sent = {0};
        clients.vertx.setPeriodic(TICK_MS, id -> {
            if (stopped) {
                clients.vertx.cancelTimer(id);
                return;
            }
            long due = (long) ((System.nanoTime() - t0) / 1e9 * perSecond);
            for (; sent[0] < due; sent[0]++) {
                if (inFlight.get() >= maxInFlight) {
                    skipped.increment();
                } else {
                    write();
                }
            }
        });
    }

    private void loop() {
        if (!stopped) {
            write().onComplete(ar -> loop());
        }
    }

    /** One write stamped with the given send time. */
    void writeOnce(long sentAt) {
        write(sentAt);
    }

    private io.vertx.core.Future<Integer> write() {
        return write(System.nanoTime());
    }

    private io.vertx.core.Future<Integer> write(long t0) {
        long n = sequence.getAndIncrement();
        String guild = guilds.get((int) (n % guilds.size()));
        // A write belongs to the measured window it was sent in, as its deliveries do.
        Timing.Window window = measured;
        boolean measured = window != null && window.contains(t0);
        inFlight.incrementAndGet();
        return clients.request(HttpMethod.PUT, "/api/guilds/" + guild, Messages.entryBody(t0, n, padding))
                .andThen(ar -> {
                    try {
                        if (measured) {
                            count(ar, t0);
                        }
                    } finally {
                        // Only once counted: drain() returning at no write in flight means every answer is counted.
                        inFlight.decrementAndGet();
                    }
                });
    }

    private void count(AsyncResult<Integer> ar, long t0) {
        if (ar.succeeded() && ar.result() / 100 == 2) {
            latency.recordValue(Math.min(Result.MAX_MICROS, (System.nanoTime() - t0) / 1000));
            ok.increment();
        } else {
            String why = ar.succeeded() ? ar.result().toString() : ar.cause().getClass().getSimpleName();
            failures.computeIfAbsent(why, k -> new LongAdder()).increment();
            failed.increment();
        }
    }

    void stop() {
        stopped = true;
    }

    /** Waits (bounded) until no write is in flight. */
    void drain() {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            ScenarioCommand.sleep(10);
        }
    }

    /** Failed writes so far by HTTP status, or by exception for those that got no answer. */
    Map<String, Long> failures() {
        Map<String, Long> sorted = new TreeMap<>();
        failures.forEach((why, n) -> sorted.put(why, n.sum()));
        return sorted;
    }
}
