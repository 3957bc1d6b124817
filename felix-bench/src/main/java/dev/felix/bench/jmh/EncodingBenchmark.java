package dev.felix.bench.jmh;

import dev.felix.protocol.EncodedShards;
import dev.felix.protocol.EntryKind;
import dev.felix.protocol.Shard;
import dev.felix.protocol.StatusReport;
import dev.felix.protocol.Wire;
import dev.felix.server.status.StatusService;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The encodings on the socket's hot paths: a heartbeat ACK (from the cached shard encoding, and
 * for reference the whole status encoded per ACK as a naive server would) and an entry update.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EncodingBenchmark {
    @Param({"1", "16", "128"})
    int shards;

    private StatusService status;
    private EncodedShards encoded;
    private List<Shard> shardList;
    private String entryJson;

    @Setup
    public void setup() {
        long now = System.currentTimeMillis();
        shardList = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            shardList.add(new Shard(i, Shard.READY, 40 + i % 20, true, now - 500, now - 460, 2500 + i));
        }
        status = new StatusService();
        status.put("bench", new StatusReport(shardList, 2500L * shards, null, null));
        encoded = EncodedShards.encode(shardList);
        entryJson = "{\"prefix\":\"!\",\"lang\":\"en\",\"modules\":{\"music\":true,\"moderation\":false},"
                + "\"settings\":\"" + "x".repeat(120) + "\"}";
    }

    @Benchmark
    public byte[] statusServiceAck() {
        return status.ack(System.currentTimeMillis());
    }

    @Benchmark
    public byte[] wireHeartbeatAck() {
        return Wire.encodeHeartbeatAck(System.currentTimeMillis(), encoded, 2500L * shards, 123.45, 987_654_321L);
    }

    /** What answering a heartbeat costs when the whole status is serialized every time. */
    @Benchmark
    public byte[] naiveAckEveryField() throws Exception {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("receivedAt", System.currentTimeMillis());
        data.put("shards", shardList);
        data.put("guildsCount", 2500L * shards);
        data.put("memoryUsage", 123.45);
        data.put("uptime", 987_654_321L);
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("code", dev.felix.protocol.OpCode.HEARTBEAT_ACK.code());
        message.put("name", dev.felix.protocol.OpCode.HEARTBEAT_ACK.wireName());
        message.put("data", data);
        return Wire.mapper().writeValueAsBytes(message);
    }

    @Benchmark
    public byte[] entryUpdate() {
        return Wire.encodeEntryUpdate(EntryKind.GUILD, "123456789012345678", entryJson, 42L);
    }
}
