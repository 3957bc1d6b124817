package dev.felix.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** Opens N authenticated sockets and holds them, answering the server's pings. */
@Command(name = "connections", mixinStandardHelpOptions = true,
        description = "Open N authenticated connections and hold them (pings answered): handshake rate, "
                + "connections still open at the end, and with --server-pid the server's RSS per connection.")
final class ConnectionsScenario extends ScenarioCommand {
    @Option(names = {"-n", "--clients"}, paramLabel = "N", defaultValue = "1000",
            description = "Connections to open, over all driver processes (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--hold", paramLabel = "SECONDS", defaultValue = "10",
            description = "How long to hold them once all are open; longer than the server's ping interval "
                    + "shows pongs at work (default: ${DEFAULT-VALUE}).")
    int holdSeconds;

    @Override
    public int clients() {
        return clients;
    }

    @Override
    public boolean splittable() {
        return true;
    }

    @Override
    public boolean measuresMemory() {
        return true;
    }

    @Override
    public void prepare(Clients c, Target target, Result result) {
        long t0 = System.nanoTime();
        List<Conn> opened = c.open(target.share(clients), target.connectConcurrency, result);
        result.seconds = (System.nanoTime() - t0) / 1e9;
        result.add("opened", opened.size());
    }

    @Override
    public void run(Clients c, Target target, Result result) {
        sleep(holdSeconds * 1000L);
        result.add("held", c.openCount());
    }

    @Override
    public List<Metric> metrics(Result r) {
        List<Metric> out = new ArrayList<>();
        out.add(Metric.count("connections.opened", r.count("opened")));
        out.add(Metric.cost("connections.failed", r.count("connect_failed"), ""));
        out.add(Metric.count("connections.held_after_" + holdSeconds + "s", r.count("held")));
        out.add(Metric.rate("connections.handshakes", r.seconds > 0 ? r.count("opened") / r.seconds : 0));
        out.addAll(Metric.percentiles("connections.handshake", r.histograms.get("handshake")));
        return out;
    }
}
