package dev.felix.server.status;

import dev.felix.protocol.BotStatus;
import dev.felix.protocol.EncodedShards;
import dev.felix.protocol.Shard;
import dev.felix.protocol.Wire;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The merged view of every status source, and the heartbeat ACK built from it.
 *
 * <p>Merge rule: shards of all reporters ordered by id; {@code guildsCount} summed;
 * {@code memoryUsage} summed over the reporters that give it, else the gateway's own heap;
 * {@code uptime} of the longest-running reporter, else the gateway's own.
 *
 * <p>Sources push reports; each push re-merges and re-encodes the shard list once, so an ACK
 * only copies cached bytes and writes four numbers. Thread-safe.
 */
public final class StatusService {
    private static final double MIB = 1024.0 * 1024.0;

    private final Map<String, StatusReport> reports = new ConcurrentHashMap<>();
    private final long startedAtNanos = System.nanoTime();
    private final Runtime runtime = Runtime.getRuntime();
    private volatile Merged merged = new Merged(List.of(), EncodedShards.NONE, 0, null, null);

    private record Merged(List<Shard> shards, EncodedShards encoded, long guildsCount, Double memoryUsage,
                          Long uptime) {
    }

    /** Sets (or replaces) what a source reports. */
    public void put(String source, StatusReport report) {
        reports.put(source, report);
        remerge();
    }

    /** Forgets a source. */
    public void remove(String source) {
        if (reports.remove(source) != null) {
            remerge();
        }
    }

    /** The reporters known now, by name. */
    public Map<String, StatusReport> reports() {
        return Map.copyOf(reports);
    }

    private synchronized void remerge() {
        List<Shard> shards = new ArrayList<>();
        long guilds = 0;
        Double memory = null;
        Long uptime = null;
        for (StatusReport r : reports.values()) {
            shards.addAll(r.shards());
            guilds += r.guildsCount();
            if (r.memoryUsage() != null) {
                memory = (memory == null ? 0 : memory) + r.memoryUsage();
            }
            if (r.uptime() != null) {
                uptime = uptime == null ? r.uptime() : Math.max(uptime, r.uptime());
            }
        }
        shards.sort(Comparator.comparingInt(Shard::id));
        merged = new Merged(List.copyOf(shards), EncodedShards.encode(shards), guilds, memory, uptime);
    }

    /** The merged status now. */
    public BotStatus current() {
        Merged m = merged;
        return new BotStatus(m.shards, m.guildsCount, memoryUsage(m), uptime(m));
    }

    /** A heartbeat ACK for a heartbeat read at {@code receivedAt} (ms epoch), encoded. */
    public byte[] ack(long receivedAt) {
        Merged m = merged;
        return Wire.encodeHeartbeatAck(receivedAt, m.encoded, m.guildsCount, memoryUsage(m), uptime(m));
    }

    private double memoryUsage(Merged m) {
        double mib = m.memoryUsage != null ? m.memoryUsage : (runtime.totalMemory() - runtime.freeMemory()) / MIB;
        return Math.round(mib * 100) / 100.0;
    }

    private long uptime(Merged m) {
        return m.uptime != null ? m.uptime : gatewayUptimeMillis();
    }

    /** Milliseconds since this gateway started. */
    public long gatewayUptimeMillis() {
        return (System.nanoTime() - startedAtNanos) / 1_000_000;
    }

}
