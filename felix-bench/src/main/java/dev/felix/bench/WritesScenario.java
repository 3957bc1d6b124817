package dev.felix.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** REST write throughput and latency, first with nobody listening, then with L listeners. */
@Command(name = "writes", mixinStandardHelpOptions = true,
        description = "PUT throughput and latency over K guilds, first without listeners, then with L clients "
                + "listening to every written guild.")
final class WritesScenario extends ScenarioCommand {
    @Option(names = {"-l", "--listeners"}, paramLabel = "L", defaultValue = "100",
            description = "Clients listening during the second phase (default: ${DEFAULT-VALUE}).")
    int listeners;

    @Option(names = {"-k", "--guilds"}, paramLabel = "K", defaultValue = "100",
            description = "Guilds written in turn (default: ${DEFAULT-VALUE}).")
    int guilds;

    @Option(names = {"-r", "--rate"}, paramLabel = "WRITES_PER_SECOND|max", defaultValue = "max",
            description = "Writes per second, or 'max' for as fast as --concurrency allows (default: ${DEFAULT-VALUE}).")
    String rate;

    @Option(names = {"-c", "--concurrency"}, paramLabel = "N", defaultValue = "16",
            description = "Writes in flight with --rate max (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--body-bytes", paramLabel = "N", defaultValue = "200",
            description = "Approximate size of each written entry (default: ${DEFAULT-VALUE}).")
    int bodyBytes;

    @Mixin
    Timing timing;

    @Override
    public int clients() {
        return listeners;
    }

    @Override
    public int httpConnections() {
        return Math.max(16, concurrency);
    }

    @Override
    public void prepare(Clients c, Target target, Result result) {
        result.add("opened", c.open(listeners, target.connectConcurrency, result).size());
    }

    @Override
    public void run(Clients c, Target target, Result result) {
        List<String> ids = FanoutScenario.guildIds(guilds);
        phase(c, ids, "alone", timing.window(), result);
        Listening.listen(c.conns, i -> ids);
        Timing.Window window = timing.window();
        Deliveries deliveries = Deliveries.of(c.conns, window);
        long written = phase(c, ids, "listened", window, result);
        // Every listener listens to every written guild.
        long expected = written * c.conns.size();
        long delivered = deliveries.await(expected);
        if (delivered < expected) {
            result.note("writes (listened): " + delivered + " of " + expected + " deliveries arrived within "
                    + Deliveries.TIMEOUT_SECONDS + " s of the last answer");
        }
        result.add("listened_delivered", delivered);
        result.histogram("listened_delivery").add(deliveries.latency);
    }

    /** Runs one phase and returns the writes that succeeded in its window. */
    private long phase(Clients c, List<String> ids, String phase, Timing.Window window, Result result) {
        Writer writer = new Writer(c, ids, bodyBytes);
        boolean max = rate.equalsIgnoreCase("max");
        writer.measure(window);
        writer.start(max ? 0 : Double.parseDouble(rate), concurrency, 10_000);
        window.awaitEnd();
        writer.stop();
        writer.drain();
        result.seconds = window.seconds();
        result.add(phase + "_writes", writer.ok.sum());
        result.add(phase + "_failed", writer.failed.sum());
        result.histogram(phase).add(writer.latency);
        if (writer.failed.sum() > 0) {
            result.note("writes (" + phase + "): " + writer.failed.sum() + " failed (by status: "
                    + writer.failures() + ")");
        }
        return writer.ok.sum();
    }

    @Override
    public List<Metric> metrics(Result r) {
        List<Metric> out = new ArrayList<>();
        for (String phase : List.of("alone", "listened")) {
            out.add(Metric.rate("writes." + phase, r.seconds > 0 ? r.count(phase + "_writes") / r.seconds : 0));
            out.addAll(Metric.percentiles("writes." + phase + "_put", r.histograms.get(phase)));
            if (r.count(phase + "_failed") > 0) {
                out.add(Metric.cost("writes." + phase + "_failed", r.count(phase + "_failed"), ""));
            }
        }
        out.add(Metric.count("writes.listeners", r.count("opened")));
        long expected = r.count("listened_writes") * r.count("opened");
        if (expected > r.count("listened_delivered")) {
            out.add(Metric.cost("writes.listened_undelivered", expected - r.count("listened_delivered"), ""));
        }
        out.addAll(Metric.percentiles("writes.listened_delivery", r.histograms.get("listened_delivery")));
        return out;
    }
}
