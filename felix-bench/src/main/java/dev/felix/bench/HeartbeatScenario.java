package dev.felix.bench;

import dev.felix.protocol.Shard;
import dev.felix.protocol.Wire;
import io.vertx.core.http.HttpMethod;
import org.HdrHistogram.ConcurrentHistogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** N clients heartbeating: ACK throughput and latency, with S shards in every ACK. */
@Command(name = "heartbeat", mixinStandardHelpOptions = true,
        description = "N clients each sending a heartbeat every second (or as fast as answered with --rate max), "
                + "with S shards reported to the server first: ACKs/s and ACK latency p50/p99/p999.")
final class HeartbeatScenario extends ScenarioCommand {
    /** The status reporter name the bench uses. */
    static final String REPORTER = "felix-bench";
    private static final long TICK_MS = 10;

    @Option(names = {"-n", "--clients"}, paramLabel = "N", defaultValue = "1000",
            description = "Heartbeating clients, over all driver processes (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--rate", paramLabel = "PER_SECOND|max", defaultValue = "1",
            description = "Heartbeats per client per second, or 'max': each client sends its next heartbeat as "
                    + "soon as the previous one is answered (default: ${DEFAULT-VALUE}).")
    String rate;

    @Option(names = "--shards", paramLabel = "S", defaultValue = "16",
            description = "Shards reported through PUT /api/status/" + REPORTER + " before the run "
                    + "(default: ${DEFAULT-VALUE}).")
    int shards;

    @Mixin
    Timing timing;

    @Override
    public int clients() {
        return clients;
    }

    @Override
    public boolean splittable() {
        return true;
    }

    @Override
    public void setup(Clients c, Result result) {
        int status;
        try {
            status = c.request(HttpMethod.PUT, "/api/status/" + REPORTER, statusReport(shards))
                    .await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("status report failed: " + e.getMessage(), e);
        }
        if (status == 404) {
            result.note("the server has no PUT /api/status/{reporter} (404): its ACKs carry no reported shards");
        } else if (status / 100 != 2) {
            result.note("PUT /api/status/" + REPORTER + " answered " + status + ": ACKs may carry no shards");
        }
    }

    /** Withdraws the reported shards, which would otherwise stay in the server's status and guild count. */
    @Override
    public void teardown(Clients c) {
        try {
            c.request(HttpMethod.DELETE, "/api/status/" + REPORTER, null).await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("note: DELETE /api/status/" + REPORTER + " failed: " + e.getMessage());
        }
    }

    /** A status report body: S ready shards as a bot would report them. */
    static String statusReport(int shards) {
        List<Shard> list = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (int i = 0; i < shards; i++) {
            list.add(new Shard(i, Shard.READY, 40 + i % 20, true, now - 500, now - 460, 2500 + i));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("shards", list);
        body.put("guildsCount", 2500L * shards);
        try {
            return Wire.mapper().writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void prepare(Clients c, Target target, Result result) {
        result.add("opened", c.open(target.share(clients), target.connectConcurrency, result).size());
    }

    @Override
    public void run(Clients c, Target target, Result result) {
        boolean max = rate.equalsIgnoreCase("max");
        double perSecond = max ? 0 : Double.parseDouble(rate);
        if (!max && perSecond <= 0) {
            throw new IllegalArgumentException("--rate must be positive or 'max'");
        }
        ConcurrentHistogram latency = new ConcurrentHistogram(Result.MAX_MICROS, 3);
        LongAdder acks = new LongAdder();
        LongAdder skipped = new LongAdder();
        Timing.Window window = timing.window();
        List<Conn> conns = c.conns;
        for (Conn conn : conns) {
            conn.onAck(nanos -> {
                if (window.contains(System.nanoTime())) {
                    acks.increment();
                    latency.recordValue(Math.min(Result.MAX_MICROS, nanos / 1000));
                }
                if (max) {
                    conn.heartbeat();
                }
            });
        }
        long timer = -1;
        if (max) {
            conns.forEach(Conn::heartbeat);
        } else {
            // Each client sends once per period; clients are spread evenly over the period's ticks.
            long periodTicks = Math.max(1, Math.round(1000 / perSecond / TICK_MS));
            long[] tick = {0};
            timer = c.vertx.setPeriodic(TICK_MS, id -> {
                long slot = tick[0]++ % periodTicks;
                for (int i = (int) slot; i < conns.size(); i += (int) periodTicks) {
                    if (!conns.get(i).heartbeat()) {
                        skipped.increment();
                    }
                }
            });
        }
        window.awaitEnd();
        result.seconds = window.seconds();
        if (timer >= 0) {
            c.vertx.cancelTimer(timer);
        }
        result.add("acks", acks.sum());
        result.add("skipped", skipped.sum());
        result.add("open_at_end", c.openCount());
        result.histogram("ack").add(latency);
    }

    @Override
    public List<Metric> metrics(Result r) {
        List<Metric> out = new ArrayList<>();
        out.add(Metric.count("heartbeat.clients", r.count("opened")));
        out.add(Metric.rate("heartbeat.acks", r.seconds > 0 ? r.count("acks") / r.seconds : 0));
        out.addAll(Metric.percentiles("heartbeat.ack", r.histograms.get("ack")));
        if (r.count("skipped") > 0) {
            out.add(Metric.cost("heartbeat.skipped_backlogged", r.count("skipped"), ""));
        }
        return out;
    }
}
