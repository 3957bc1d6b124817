package dev.felix.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * Opens N authenticated sockets and holds them, answering the server's pings; before them, opens and
 * closes a batch on the fresh server (the cold pass), so that both a cold and a warm handshake rate
 * are measured.
 */
@Command(name = "connections", mixinStandardHelpOptions = true,
        description = "Open and close a batch of connections (the cold pass, on a fresh server), then open N "
                + "authenticated connections and hold them (pings answered): cold and warm handshake rates, "
                + "connections still open at the end, and with --server-pid the server's RSS per connection.")
final class ConnectionsScenario extends ScenarioCommand {
    @Option(names = {"-n", "--clients"}, paramLabel = "N", defaultValue = "1000",
            description = "Connections to open, over all driver processes (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--warmup-clients", paramLabel = "N",
            description = "Connections opened and closed again before the measured ones, over all driver processes, "
                    + "so that those meet a warmed-up server; their handshake rate is the cold one. 0: none "
                    + "(default: as many as --clients).")
    Integer warmupClients;

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

    private int warmups() {
        return warmupClients == null ? clients : warmupClients;
    }

    @Override
    public boolean warmsUp() {
        return warmups() > 0;
    }

    /** The cold pass: a fresh server's handshakes, run while its JIT compiles them. */
    @Override
    public void warmUp(Clients c, Target target, Result result) {
        if (warmups() == 0) {
            return;
        }
        long t0 = System.nanoTime();
        List<Conn> opened = c.open(target.share(warmups()), target.connectConcurrency, result, "cold_handshake");
        result.warmupSeconds = (System.nanoTime() - t0) / 1e9;
        result.add("cold_opened", opened.size());
        c.close(opened);
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
        if (r.count("cold_opened") > 0) {
            out.add(Metric.count("connections.cold_opened", r.count("cold_opened")));
            out.add(Metric.rate("connections.handshakes_cold",
                    r.warmupSeconds > 0 ? r.count("cold_opened") / r.warmupSeconds : 0));
            out.addAll(Metric.percentiles("connections.handshake_cold", r.histograms.get("cold_handshake")));
        }
        String pass = r.count("cold_opened") > 0 ? "_warm" : "";
        out.add(Metric.rate("connections.handshakes" + pass, r.seconds > 0 ? r.count("opened") / r.seconds : 0));
        out.addAll(Metric.percentiles("connections.handshake" + pass, r.histograms.get("handshake")));
        return out;
    }
}
