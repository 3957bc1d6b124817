package dev.felix.server.metrics;

import dev.felix.protocol.EntryKind;
import dev.felix.protocol.OpCode;
import dev.felix.server.connections.ConnectionLimits;
import dev.felix.server.store.Store;
import dev.felix.server.store.StoreException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Every meter of one gateway, exported in the Prometheus text format by {@link #scrape()}.
 *
 * <p>Hot paths (frames in and out, fan-out, writes) only increment counters and timers that were
 * registered up front, so no tag lookup happens per message. Thread-safe.
 */
public final class GatewayMetrics implements AutoCloseable {
    /** Why a handshake was refused; the {@code reason} tag of {@code felix_ws_handshakes_total}. */
    public enum Refusal {
        MISSING_TOKEN, UNKNOWN_TOKEN, PUBLIC_TOKEN;

        String tag() {
            return name().toLowerCase();
        }
    }

    /** Histogram buckets of the latency timers: few and fixed, so a scrape stays small. */
    private static final Duration[] LATENCY_BUCKETS = {
            Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(10)};

    /** The {@code reason} tags of {@code felix_store_writes_failed_total}. */
    private static final String[] WRITE_FAILURES = {"full", "unavailable", "unknown", "error"};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Counter handshakesAccepted;
    private final Map<Refusal, Counter> handshakesRefused = new EnumMap<>(Refusal.class);
    private final Counter[] messagesIn = new Counter[OpCode.values().length];
    private final Counter messagesIgnored;
    private final Counter[] messagesOut = new Counter[OpCode.values().length];
    private final Counter fanoutDeliveries;
    private final Timer fanoutLatency;
    private final Map<EntryKind, Timer> writes = new EnumMap<>(EntryKind.class);
    /** Failed writes by kind, then by {@link #failureReason}. */
    private final Counter[][] writesFailed = new Counter[EntryKind.values().length][WRITE_FAILURES.length];

    public GatewayMetrics() {
        handshakesAccepted = Counter.builder("felix.ws.handshakes").description("WebSocket handshakes")
                .tags("result", "accepted", "reason", "none").register(registry);
        for (Refusal r : Refusal.values()) {
            handshakesRefused.put(r, Counter.builder("felix.ws.handshakes").description("WebSocket handshakes")
                    .tags("result", "refused", "reason", r.tag()).register(registry));
        }
        for (OpCode op : OpCode.values()) {
            boolean in = fromClient(op);
            Counter counter = Counter.builder(in ? "felix.ws.messages.in" : "felix.ws.messages.out")
                    .description("WebSocket messages by protocol code")
                    .tags("code", String.valueOf(op.code()), "name", op.name())
                    .register(registry);
            (in ? messagesIn : messagesOut)[op.ordinal()] = counter;
        }
        messagesIgnored = Counter.builder("felix.ws.messages.in").description("WebSocket messages by protocol code")
                .tags("code", "none", "name", "IGNORED").register(registry);
        fanoutDeliveries = Counter.builder("felix.fanout.deliveries")
                .description("Entry updates handed to listening sessions").register(registry);
        fanoutLatency = Timer.builder("felix.fanout.latency")
                .description("From commit to the hand-off of an update to the sessions of one event loop")
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        for (EntryKind kind : EntryKind.values()) {
            String tag = kind.name().toLowerCase();
            writes.put(kind, Timer.builder("felix.store.writes")
                    .description("Committed entry writes, from the write call to the commit")
                    .tags("kind", tag).serviceLevelObjectives(LATENCY_BUCKETS).register(registry));
            for (int r = 0; r < WRITE_FAILURES.length; r++) {
                writesFailed[kind.ordinal()][r] = Counter.builder("felix.store.writes.failed")
                        .description("Entry writes that failed").tags("kind", tag, "reason", WRITE_FAILURES[r])
                        .register(registry);
            }
        }
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** The protocol numbers client messages 2xxxx and server messages 1xxxx. */
    private static boolean fromClient(OpCode op) {
        return op.code() / 10_000 == 2;
    }

    /** Exports the number of open WebSocket sessions, read at each scrape. */
    public void gaugeOpenConnections(Supplier<Number> count) {
        Gauge.builder("felix.ws.connections", count).description("Open WebSocket sessions").register(registry);
    }

    /** Exports the number of bot status reporters, read at each scrape. */
    public void gaugeStatusReporters(Supplier<Number> count) {
        Gauge.builder("felix.status.reporters", count).description("Status sources the merged bot status is made of")
                .register(registry);
    }

    public void handshakeAccepted() {
        handshakesAccepted.increment();
    }

    public void handshakeRefused(Refusal reason) {
        handshakesRefused.get(reason).increment();
    }

    /** A client message of this code was read; {@code null} for one the protocol says to ignore. */
    public void messageIn(OpCode op) {
        Counter counter = op == null ? null : messagesIn[op.ordinal()];
        (counter == null ? messagesIgnored : counter).increment();
    }

    /** A server message of this code was handed to a socket (whose pipeline drops it once the socket closes). */
    public void messageOut(OpCode op) {
        messagesOut[op.ordinal()].increment();
    }

    /** {@code sessions} sessions got an update, {@code nanos} after the commit was published. */
    public void fanout(int sessions, long nanos) {
        fanoutDeliveries.increment(sessions);
        fanoutLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Updates handed to sessions since start. */
    public long fanoutDeliveries() {
        return (long) fanoutDeliveries.count();
    }

    /** Counts an entry write and times it from this call to its commit; returns the write itself. */
    public <T> CompletableFuture<T> timeWrite(EntryKind kind, CompletableFuture<T> write) {
        long start = System.nanoTime();
        write.whenComplete((result, failure) -> {
            if (failure == null) {
                writes.get(kind).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            } else {
                int reason = failureReason(failure);
                if (reason >= 0) {
                    writesFailed[kind.ordinal()][reason].increment();
                }
            }
        });
        return write;
    }

    /**
     * The index in {@link #WRITE_FAILURES}, or -1 for a missing entry or a stale If-Match: those are
     * the write's answer to its caller, not a failure of the store.
     */
    private static int failureReason(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof StoreException.NotFound || cause instanceof StoreException.PreconditionFailed) {
            return -1;
        }
        if (cause instanceof StoreException.Full) {
            return 0;
        }
        if (cause instanceof StoreException.Unavailable) {
            return 1;
        }
        return cause instanceof StoreException.OutcomeUnknown ? 2 : 3;
    }

    /** Exports whether the store can write (1) or its last write or probe failed for want of space or a database (0). */
    public void gaugeStoreWritable(Store store) {
        Gauge.builder("felix.store.writable", store, s -> s.cannotWrite().isEmpty() ? 1 : 0)
                .description("1 while the store can write, 0 while writes fail for lack of space or of a database")
                .register(registry);
    }

    /** Exports the WebSocket server's own counters (limits hit, bytes waiting for slow readers), read at each scrape. */
    public void bindWebSocketStats(WebSocketCounters stats) {
        FunctionCounter.builder("felix.ws.slow.consumer.closes", stats, WebSocketCounters::slowConsumers)
                .description("Sessions closed because they did not read their messages fast enough").register(registry);
        FunctionCounter.builder("felix.ws.rate.limit.closes", stats, WebSocketCounters::rateLimited)
                .description("Sessions closed for sending frames faster than the inbound rate limit").register(registry);
        FunctionCounter.builder("felix.ws.connection.limit.refusals", stats, WebSocketCounters::connectionLimitRefusals)
                .description("Handshakes refused because the token held its maximum of connections").register(registry);
        FunctionCounter.builder("felix.ws.handshake.timeouts", stats, WebSocketCounters::handshakeTimeouts)
                .description("Connections closed for not completing the WebSocket upgrade in time").register(registry);
        Gauge.builder("felix.ws.queued.bytes", stats, WebSocketCounters::queuedBytes)
                .description("Bytes written to sessions and not yet taken by their clients").register(registry);
    }

    /** Exports the open connections of both ports and the connections refused at a limit, read at each scrape. */
    public void bindConnectionLimits(ConnectionLimits limits) {
        Gauge.builder("felix.connections.open", limits, ConnectionLimits::open)
                .description("Open connections over both ports (--max-connections)").register(registry);
        for (ConnectionLimits.Port port : ConnectionLimits.Port.values()) {
            for (ConnectionLimits.Limit limit : ConnectionLimits.Limit.values()) {
                FunctionCounter.builder("felix.connections.refused", limits, l -> l.refused(port, limit))
                        .description("Connections answered 503 and closed at --max-connections (limit total) or "
                                + "--max-connections-per-ip (limit per_ip)")
                        .tags("port", port.name().toLowerCase(), "limit", limit.name().toLowerCase())
                        .register(registry);
            }
        }
    }

    /** Every meter in the Prometheus text exposition format. */
    public String scrape() {
        return registry.scrape();
    }

    /** The content type of {@link #scrape()}. */
    public static String contentType() {
        return "text/plain; version=0.0.4; charset=utf-8";
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
