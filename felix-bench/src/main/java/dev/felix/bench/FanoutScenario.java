package dev.felix.bench;

import org.HdrHistogram.ConcurrentHistogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * M clients listening to the same K guilds while a writer updates them at rate R; then single
 * updates of one guild that L clients listen to, timed until the last of them has it.
 */
@Command(name = "fanout", mixinStandardHelpOptions = true,
        description = "M clients listening to the same K guilds, a writer PUTting updates at rate R: deliveries/s "
                + "and write-to-receive latency p50/p99/p999. Then single updates to L listeners: time until all "
                + "have it.")
final class FanoutScenario extends ScenarioCommand {
    /** Snowflakes the bench writes: far from any real guild. */
    static final long GUILD_BASE = 900_000_000_000_000_000L;

    @Option(names = {"-m", "--clients"}, paramLabel = "M", defaultValue = "1000",
            description = "Clients listening to the K guilds (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = {"-k", "--guilds"}, paramLabel = "K", defaultValue = "10",
            description = "Guilds every client listens to and the writer updates in turn (default: ${DEFAULT-VALUE}).")
    int guilds;

    @Option(names = {"-r", "--rate"}, paramLabel = "WRITES_PER_SECOND|max", defaultValue = "100",
            description = "Writes per second, or 'max' for as fast as --write-concurrency allows "
                    + "(default: ${DEFAULT-VALUE}).")
    String rate;

    @Option(names = "--write-concurrency", paramLabel = "N", defaultValue = "16",
            description = "Writes in flight with --rate max (default: ${DEFAULT-VALUE}).")
    int writeConcurrency;

    @Option(names = "--body-bytes", paramLabel = "N", defaultValue = "200",
            description = "Approximate size of each written entry (default: ${DEFAULT-VALUE}).")
    int bodyBytes;

    @Mixin
    Timing timing;

    @Option(names = {"-l", "--burst-listeners"}, paramLabel = "L", defaultValue = "10000",
            description = "Clients listening to the burst guild; 0 skips the burst part (default: ${DEFAULT-VALUE}).")
    int burstListeners;

    @Option(names = "--bursts", paramLabel = "N", defaultValue = "10",
            description = "Single updates sent to the L listeners, one at a time (default: ${DEFAULT-VALUE}).")
    int bursts;

    @Override
    public int clients() {
        return Math.max(clients, burstListeners);
    }

    @Override
    public int httpConnections() {
        return Math.max(16, writeConcurrency);
    }

    private String burstGuild() {
        return Long.toString(GUILD_BASE - 1);
    }

    static List<String> guildIds(int k) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            ids.add(Long.toString(GUILD_BASE + i));
        }
        return ids;
    }

    @Override
    public void prepare(Clients c, Target target, Result result) {
        List<Conn> conns = c.open(clients(), target.connectConcurrency, result);
        result.add("opened", conns.size());
        List<String> fanoutGuilds = guildIds(guilds);
        Listening.listen(conns, i -> {
            List<String> ids = new ArrayList<>(i < clients ? fanoutGuilds : List.of());
            if (i < burstListeners) {
                ids.add(burstGuild());
            }
            return ids;
        });
    }

    @Override
    public void run(Clients c, Target target, Result result) {
        List<Conn> conns = c.conns;
        sustained(c, conns.subList(0, Math.min(clients, conns.size())), result);
        if (burstListeners > 0 && bursts > 0) {
            bursts(c, conns.subList(0, Math.min(burstListeners, conns.size())), result);
        }
    }

    private void sustained(Clients c, List<Conn> listeners, Result result) {
        Timing.Window window = timing.window();
        Deliveries deliveries = Deliveries.of(listeners, window);
        Writer writer = new Writer(c, guildIds(guilds), bodyBytes);
        boolean max = rate.equalsIgnoreCase("max");
        writer.measure(window);
        writer.start(max ? 0 : Double.parseDouble(rate), writeConcurrency, 10_000);
        window.awaitEnd();
        writer.stop();
        writer.drain();
        // Every listener listens to every written guild.
        long delivered = deliveries.await(writer.ok.sum() * listeners.size());
        result.seconds = window.seconds();
        result.add("writes", writer.ok.sum());
        result.add("write_failed", writer.failed.sum());
        result.add("write_skipped", writer.skipped.sum());
        result.add("listeners", listeners.size());
        result.add("delivered", delivered);
        result.histogram("delivery").add(deliveries.latency);
        result.histogram("write").add(writer.latency);
        if (writer.failed.sum() > 0) {
            result.note("fanout: " + writer.failed.sum() + " writes failed (by status: " + writer.failures() + ")");
        }
        listeners.forEach(conn -> conn.onUpdate(text -> { }));
    }

    private void bursts(Clients c, List<Conn> listeners, Result result) {
        ConcurrentHistogram perListener = new ConcurrentHistogram(Result.MAX_MICROS, 3);
        Writer writer = new Writer(c, List.of(burstGuild()), bodyBytes);
        for (int b = 0; b < bursts; b++) {
            CountDownLatch all = new CountDownLatch(listeners.size());
            AtomicBoolean[] got = new AtomicBoolean[listeners.size()];
            long sentAt = System.nanoTime();
            for (int i = 0; i < listeners.size(); i++) {
                AtomicBoolean mine = got[i] = new AtomicBoolean();
                listeners.get(i).onUpdate(text -> {
                    long sent = Messages.sentAt(text);
                    if (sent >= sentAt && mine.compareAndSet(false, true)) {
                        perListener.recordValue(Math.min(Result.MAX_MICROS, (System.nanoTime() - sent) / 1000));
                        all.countDown();
                    }
                });
            }
            writer.writeOnce(sentAt);
            try {
                if (all.await(30, TimeUnit.SECONDS)) {
                    result.histogram("burst_all").recordValue(Math.min(Result.MAX_MICROS,
                            (System.nanoTime() - sentAt) / 1000));
                } else {
                    result.add("burst_incomplete", 1);
                    result.note("fanout: a burst reached only " + (listeners.size() - all.getCount()) + " of "
                            + listeners.size() + " listeners within 30 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            sleep(200);
        }
        writer.drain();
        result.add("burst_listeners", listeners.size());
        result.histogram("burst").add(perListener);
    }

    @Override
    public List<Metric> metrics(Result r) {
        List<Metric> out = new ArrayList<>();
        out.add(Metric.count("fanout.listeners", r.count("listeners")));
        out.add(Metric.rate("fanout.writes", r.seconds > 0 ? r.count("writes") / r.seconds : 0));
        out.add(Metric.rate("fanout.deliveries", r.seconds > 0 ? r.count("delivered") / r.seconds : 0));
        long expected = r.count("writes") * r.count("listeners");
        if (expected > r.count("delivered")) {
            out.add(Metric.cost("fanout.undelivered", expected - r.count("delivered"), ""));
        }
        out.addAll(Metric.percentiles("fanout.delivery", r.histograms.get("delivery")));
        out.addAll(Metric.percentiles("fanout.write", r.histograms.get("write")));
        org.HdrHistogram.Histogram all = r.histograms.get("burst_all");
        if (all != null && all.getTotalCount() > 0) {
            out.add(Metric.count("fanout.burst_listeners", r.count("burst_listeners")));
            out.add(Metric.cost("fanout.burst_all_delivered_p50", all.getValueAtPercentile(50) / 1000.0, "ms"));
            out.add(Metric.cost("fanout.burst_all_delivered_max", all.getMaxValue() / 1000.0, "ms"));
            Metric.percentiles("fanout.burst_listener", r.histograms.get("burst")).stream()
                    .filter(m -> m.name().endsWith("_p99")).forEach(out::add);
        }
        if (r.count("burst_incomplete") > 0) {
            out.add(Metric.cost("fanout.bursts_incomplete", r.count("burst_incomplete"), ""));
        }
        return out;
    }
}
