package dev.felix.server.status;

import dev.felix.protocol.BotStatus;
import dev.felix.protocol.EncodedShards;
import dev.felix.protocol.Shard;
import dev.felix.protocol.StatusReport;
import dev.felix.protocol.Wire;
import dev.felix.server.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The merged view of every status source, and the heartbeat ACK built from it.
 *
 * <p>Merge rule: shards of all sources ordered by id; {@code guildsCount} summed;
 * {@code memoryUsage} summed over the sources that give it, else the gateway's own heap;
 * {@code uptime} of the longest-running source, else the gateway's own. A remote reporter
 * silent for longer than the TTL keeps its shards in the view with status
 * {@code disconnected} and its guilds in the count, but its memory and uptime no longer count,
 * since its process may be gone.
 *
 * <p>Sources push reports; each push re-merges and re-encodes the shard list once, so an ACK
 * only copies cached bytes and writes four numbers. Thread-safe.
 */
public final class StatusService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StatusService.class);
    private static final double MIB = 1024.0 * 1024.0;

    private final Map<String, Source> sources = new ConcurrentHashMap<>();
    private final long startedAtNanos = System.nanoTime();
    private final Runtime runtime = Runtime.getRuntime();
    private final long ttlNanos;
    private final ScheduledExecutorService silenceCheck;
    private volatile Merged merged = new Merged(List.of(), EncodedShards.NONE, 0, null, null);
    private volatile Ack lastAck = new Ack(Long.MIN_VALUE, null, null);

    /** {@code startedAt}: nanoTime the longest-running source started, or null when none says. */
    private record Merged(List<Shard> shards, EncodedShards encoded, long guildsCount, Double memoryUsage,
                          Long startedAt) {
    }

    /**
     * @param remote   whether the report comes from a reporter that may go silent (REST, other nodes)
     * @param seenAt   nanoTime the report arrived
     * @param silent   whether the reporter has been silent for longer than the TTL
     */
    private record Source(StatusReport report, boolean remote, long seenAt, boolean silent) {
    }

    /** The ACK last encoded: for heartbeats read in millisecond {@code receivedAt} while {@code from} was the view. */
    private record Ack(long receivedAt, Merged from, byte[] bytes) {
    }

    /** A status with the default reporter TTL ({@code --status-ttl-ms}). */
    public StatusService() {
        this(Settings.STATUS_TTL.defaultValue());
    }

    /** A status whose remote reporters count as disconnected after {@code reporterTtl} of silence. */
    public StatusService(Duration reporterTtl) {
        this.ttlNanos = reporterTtl.toNanos();
        long checkMs = Math.max(10, Math.min(1000, reporterTtl.toMillis() / 4));
        this.silenceCheck = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "felix-status-ttl");
            t.setDaemon(true);
            return t;
        });
        // Hop: the silence check runs on its own thread, so no event loop waits for the re-merge.
        silenceCheck.scheduleWithFixedDelay(this::markSilent, checkMs, checkMs, TimeUnit.MILLISECONDS);
    }

    /** Sets (or replaces) what an in-process source reports; it never goes silent. */
    public void put(String source, StatusReport report) {
        sources.put(source, new Source(report, false, System.nanoTime(), false));
        remerge();
    }

    /** Sets (or replaces) what a remote reporter reports; it shows as disconnected after the TTL of silence. */
    public void report(String reporter, StatusReport report) {
        sources.put(reporter, new Source(report, true, System.nanoTime(), false));
        remerge();
    }

    /**
     * A report published through the store by any gateway (the JSON of {@link StatusReport#toJson()}),
     * or {@code null} when its reporter withdrew.
     */
    public void onPublished(String reporter, String reportJson) {
        if (reportJson == null) {
            remove(reporter);
            return;
        }
        try {
            report(reporter, StatusReport.fromJson(reportJson));
        } catch (IllegalArgumentException e) {
            log.warn("ignored malformed status report of {}: {}", reporter, e.getMessage());
        }
    }

    /** Forgets a source. */
    public void remove(String source) {
        if (sources.remove(source) != null) {
            remerge();
        }
    }

    /** The sources known now, by name. */
    public Map<String, StatusReport> reports() {
        Map<String, StatusReport> out = new LinkedHashMap<>();
        sources.forEach((name, source) -> out.put(name, source.report()));
        return out;
    }

    private void markSilent() {
        long now = System.nanoTime();
        boolean changed = false;
        for (Map.Entry<String, Source> e : sources.entrySet()) {
            Source s = e.getValue();
            if (s.remote() && !s.silent() && now - s.seenAt() > ttlNanos) {
                // Only the version checked is marked: a report that arrived meanwhile stays live.
                changed |= sources.replace(e.getKey(), s, new Source(s.report(), true, s.seenAt(), true));
            }
        }
        if (changed) {
            remerge();
        }
    }

    private synchronized void remerge() {
        List<Shard> shards = new ArrayList<>();
        long guilds = 0;
        Double memory = null;
        Long startedAt = null;
        for (Source source : sources.values()) {
            StatusReport r = source.report();
            guilds += r.guildsCount();
            if (source.silent()) {
                r.shards().forEach(s -> shards.add(s.withStatus(Shard.DISCONNECTED)));
                continue;
            }
            shards.addAll(r.shards());
            if (r.memoryUsage() != null) {
                memory = (memory == null ? 0 : memory) + r.memoryUsage();
            }
            if (r.uptime() != null) {
                // A report's uptime was true when it arrived; keep it running between reports.
                long started = source.seenAt() - TimeUnit.MILLISECONDS.toNanos(r.uptime());
                startedAt = startedAt == null ? started : Math.min(startedAt, started);
            }
        }
        shards.sort(Comparator.comparingInt(Shard::id));
        merged = new Merged(List.copyOf(shards), EncodedShards.encode(shards), guilds, memory, startedAt);
    }

    /** The merged status now. */
    public BotStatus current() {
        Merged m = merged;
        return new BotStatus(m.shards, m.guildsCount, memoryUsage(m), uptime(m));
    }

    /**
     * A heartbeat ACK for a heartbeat read at {@code receivedAt} (ms epoch), encoded. Every heartbeat
     * read in the same millisecond under the same view gets the same array (its memory and uptime as of
     * the first of them): encoding the ACK was the largest cost of answering a heartbeat, and a busy
     * gateway answers many per millisecond. Callers must not change the array.
     */
    public byte[] ack(long receivedAt) {
        Merged m = merged;
        Ack last = lastAck;
        if (last.receivedAt == receivedAt && last.from == m) {
            return last.bytes;
        }
        byte[] bytes = Wire.encodeHeartbeatAck(receivedAt, m.encoded, m.guildsCount, memoryUsage(m), uptime(m));
        lastAck = new Ack(receivedAt, m, bytes);
        return bytes;
    }

    /** The same status as a heartbeat ACK's data object alone (what {@code GET /api/status} serves), encoded. */
    public byte[] statusJson(long receivedAt) {
        Merged m = merged;
        return Wire.encodeStatus(receivedAt, m.encoded, m.guildsCount, memoryUsage(m), uptime(m));
    }

    private double memoryUsage(Merged m) {
        double mib = m.memoryUsage != null ? m.memoryUsage : (runtime.totalMemory() - runtime.freeMemory()) / MIB;
        return Math.round(mib * 100) / 100.0;
    }

    private long uptime(Merged m) {
        return m.startedAt != null ? (System.nanoTime() - m.startedAt) / 1_000_000 : gatewayUptimeMillis();
    }

    /** Milliseconds since this gateway started. */
    public long gatewayUptimeMillis() {
        return (System.nanoTime() - startedAtNanos) / 1_000_000;
    }

    /** Stops the silence check. */
    @Override
    public void close() {
        silenceCheck.shutdownNow();
    }
}
