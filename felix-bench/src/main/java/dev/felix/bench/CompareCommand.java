package dev.felix.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code felix bench compare}: every scenario against felix and against its peers (the Node ws
 * baseline, the Bun/uWebSockets server), same parameters, one server at a time, each scenario on a
 * freshly started server. Each scenario runs on every server before the next scenario starts, so the
 * figures of one row were taken minutes apart.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Run every scenario against felix (its jar, a temporary data directory, a minted token), "
                + "the Node ws baseline (bench/peers/node-ws) and the Bun/uWebSockets peer (bench/peers/bun-uws), "
                + "each scenario on every server in turn with the same parameters, and print a table: metric, one "
                + "column per server, and how many times better felix is than each peer.")
final class CompareCommand implements Callable<Integer> {
    /** The peers felix is compared against, as named in --servers and under bench/peers. */
    private static final List<String> PEERS = List.of("node-ws", "bun-uws");

    @Option(names = "--home", paramLabel = "DIR", defaultValue = "${env:FELIX_HOME:-.}",
            description = "The project directory, holding felix-server/target/felix.jar and bench/peers "
                    + "(env FELIX_HOME, default: ${DEFAULT-VALUE}).")
    Path home;

    @Option(names = "--servers", paramLabel = "NAME", split = ",", defaultValue = "felix,node-ws,bun-uws",
            description = "Servers to run, in order: felix, node-ws, bun-uws (default: ${DEFAULT-VALUE}).")
    List<String> servers;

    @Option(names = "--scenarios", paramLabel = "NAME", split = ",", defaultValue = "connections,heartbeat,heartbeat-max,fanout,writes",
            description = "Scenarios to run (default: ${DEFAULT-VALUE}).")
    List<String> scenarios;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "3000",
            description = "connections: sockets held (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--connections-warmup", paramLabel = "N",
            description = "connections: sockets opened and closed before the measured ones (the cold pass), "
                    + "0 for none (default: as many as --connections).")
    Integer connectionsWarmup;

    @Option(names = "--procs", paramLabel = "N", defaultValue = "3",
            description = "Driver processes for connections and heartbeat (default: ${DEFAULT-VALUE}).")
    int procs;

    @Option(names = "--hold", paramLabel = "SECONDS", defaultValue = "12",
            description = "connections: hold time, longer than the ping interval (default: ${DEFAULT-VALUE}).")
    int hold;

    @Option(names = "--heartbeat-clients", paramLabel = "N", defaultValue = "2000",
            description = "heartbeat: clients at 1 heartbeat/s (default: ${DEFAULT-VALUE}).")
    int heartbeatClients;

    @Option(names = "--max-clients", paramLabel = "N", defaultValue = "200",
            description = "heartbeat-max: clients heartbeating as fast as answered (default: ${DEFAULT-VALUE}).")
    int maxClients;

    @Option(names = "--shards", paramLabel = "S", defaultValue = "16",
            description = "heartbeat: shards reported before the run (default: ${DEFAULT-VALUE}).")
    int shards;

    @Option(names = "--fanout-clients", paramLabel = "M", defaultValue = "500",
            description = "fanout: clients listening to the K guilds (default: ${DEFAULT-VALUE}).")
    int fanoutClients;

    @Option(names = "--fanout-guilds", paramLabel = "K", defaultValue = "10",
            description = "fanout: guilds listened to and written (default: ${DEFAULT-VALUE}).")
    int fanoutGuilds;

    @Option(names = "--fanout-rate", paramLabel = "R", defaultValue = "100",
            description = "fanout: writes per second (default: ${DEFAULT-VALUE}).")
    String fanoutRate;

    @Option(names = "--burst-listeners", paramLabel = "L", defaultValue = "5000",
            description = "fanout: listeners of the single-update bursts (default: ${DEFAULT-VALUE}).")
    int burstListeners;

    @Option(names = "--write-listeners", paramLabel = "L", defaultValue = "100",
            description = "writes: listeners in the second phase (default: ${DEFAULT-VALUE}).")
    int writeListeners;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "10",
            description = "Measured time of each timed scenario (default: ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "8",
            description = "Warm-up of each timed scenario; every scenario starts a fresh server, whose JIT needs "
                    + "a few seconds (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--ping-interval-ms", paramLabel = "MS", defaultValue = "5000",
            description = "Ping interval both servers run with, so holds see pings (default: ${DEFAULT-VALUE}).")
    long pingIntervalMs;

    @Option(names = "--felix-java-opts", paramLabel = "OPTS", defaultValue = "${env:FELIX_JAVA_OPTS:-}",
            description = "JVM options for the felix server (env FELIX_JAVA_OPTS, which ./felix sets to its "
                    + "default, -Xmn64m, unless given).")
    String felixJavaOptions;

    @Override
    public Integer call() throws IOException {
        Path root = home.toAbsolutePath().normalize();
        Path jar = root.resolve("felix-server/target/felix.jar");
        Path peers = root.resolve("bench/peers");
        if (servers.contains("felix") && !Files.isRegularFile(jar)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "no felix jar at " + jar
                    + " (build with ./felix --version, or run through ./felix bench compare)");
        }
        for (String server : servers) {
            if (!server.equals("felix")) {
                install(server, peers.resolve(server));
            }
        }
        Path work = Files.createTempDirectory("felix-bench");
        Map<String, Map<String, Metric>> results = new LinkedHashMap<>();
        for (String server : servers) {
            results.put(server, new LinkedHashMap<>());
        }
        List<String> order = new ArrayList<>();
        for (String scenario : scenarios) {
            for (String server : servers) {
                System.err.printf("== %s: %s%n", server, scenario);
                try (Servers.Running running = start(server, jar, peers, work)) {
                    for (Metric m : runScenario(scenario, running)) {
                        results.get(server).put(m.name(), m);
                        if (!order.contains(m.name())) {
                            order.add(m.name());
                        }
                    }
                } catch (RuntimeException e) {
                    System.err.printf("%s on %s failed: %s%n", scenario, server, e.getMessage());
                }
            }
        }
        print(System.out, order, results);
        System.err.println("server logs (of each server's last scenario): " + work);
        return 0;
    }

    /** {@code npm ci} in a peer's directory (node-ws gets ws; bun-uws gets Bun itself, from npm). */
    private static void install(String server, Path dir) {
        if (!PEERS.contains(server)) {
            throw new IllegalArgumentException("unknown server " + server + " (felix, node-ws, bun-uws)");
        }
        try {
            Servers.npmCi(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot install the " + server + " peer (" + e.getMessage()
                    + "); node and npm are needed for it, or leave it out of --servers", e);
        }
    }

    private Servers.Running start(String server, Path jar, Path peers, Path work) throws IOException {
        return switch (server) {
            case "felix" -> Servers.felix(jar, work, pingIntervalMs,
                    felixJavaOptions.isBlank() ? List.of() : List.of(felixJavaOptions.trim().split("\\s+")));
            case "node-ws" -> Servers.nodeWs(peers.resolve(server), work, pingIntervalMs);
            case "bun-uws" -> Servers.bunUws(peers.resolve(server), work, pingIntervalMs);
            default -> throw new IllegalArgumentException("unknown server " + server + " (felix, node-ws, bun-uws)");
        };
    }

    private List<Metric> runScenario(String name, Servers.Running s) {
        List<String> common = List.of("--url", s.wsUrl(), "--http", s.httpUrl(), "--token", s.token(),
                "--server-pid", Long.toString(s.process().pid()));
        return switch (name) {
            case "connections" -> run(ConnectionsScenario::new, common, "--clients", connections,
                    "--warmup-clients", connectionsWarmup == null ? connections : connectionsWarmup,
                    "--procs", procs, "--hold", hold);
            case "heartbeat" -> run(HeartbeatScenario::new, common, "--clients", heartbeatClients, "--procs", procs,
                    "--shards", shards, "--rate", 1, "--duration", duration, "--warmup", warmup);
            case "heartbeat-max" -> renamed(run(HeartbeatScenario::new, common, "--clients", maxClients,
                    "--shards", shards, "--rate", "max", "--duration", duration, "--warmup", warmup), "heartbeat_max.");
            case "fanout" -> run(FanoutScenario::new, common, "--clients", fanoutClients, "--guilds", fanoutGuilds,
                    "--rate", fanoutRate, "--burst-listeners", burstListeners, "--duration", duration,
                    "--warmup", warmup);
            case "writes" -> run(WritesScenario::new, common, "--listeners", writeListeners, "--duration", duration,
                    "--warmup", warmup);
            default -> throw new IllegalArgumentException("unknown scenario " + name);
        };
    }

    private static List<Metric> run(Supplier<ScenarioCommand> factory, List<String> common, Object... options) {
        ScenarioCommand scenario = factory.get();
        List<String> args = new ArrayList<>(common);
        for (Object o : options) {
            args.add(String.valueOf(o));
        }
        new CommandLine(scenario).parseArgs(args.toArray(String[]::new));
        return Runner.run(scenario, scenario.target, args);
    }

    private static List<Metric> renamed(List<Metric> metrics, String prefix) {
        List<Metric> out = new ArrayList<>();
        for (Metric m : metrics) {
            out.add(new Metric(prefix + m.name().substring(m.name().indexOf('.') + 1), m.value(), m.unit(),
                    m.higherIsBetter()));
        }
        return out;
    }

    private void print(PrintStream out, List<String> order, Map<String, Map<String, Metric>> results) {
        out.println("Machine: " + machine());
        out.println("Run: " + Instant.now() + "; " + parameters());
        out.println();
        StringBuilder header = new StringBuilder("| metric |");
        StringBuilder rule = new StringBuilder("| --- |");
        for (String server : results.keySet()) {
            header.append(' ').append(server).append(" |");
            rule.append(" ---: |");
        }
        List<String> against = results.containsKey("felix")
                ? PEERS.stream().filter(results::containsKey).toList() : List.of();
        for (String peer : against) {
            header.append(" vs ").append(peer).append(" |");
            rule.append(" ---: |");
        }
        out.println(header);
        out.println(rule);
        for (String name : order) {
            StringBuilder row = new StringBuilder("| ").append(name).append(" |");
            for (Map<String, Metric> metrics : results.values()) {
                Metric m = metrics.get(name);
                row.append(' ').append(m == null ? "-" : m.formatted()).append(" |");
            }
            for (String peer : against) {
                row.append(' ').append(ratio(results.get("felix").get(name), results.get(peer).get(name)))
                        .append(" |");
            }
            out.println(row);
        }
        out.println();
        out.println("vs PEER: how many times better felix is (felix/PEER where higher is better, PEER/felix "
                + "where lower is better); none for counts of clients or values that are not positive.");
    }

    private static String ratio(Metric felix, Metric peer) {
        // A ratio of a value that is not positive (RSS that shrank during a run) means nothing.
        if (felix == null || peer == null || felix.unit().isEmpty() || felix.value() <= 0 || peer.value() <= 0) {
            return "";
        }
        double r = felix.higherIsBetter() ? felix.value() / peer.value() : peer.value() / felix.value();
        if (Double.isNaN(r) || Double.isInfinite(r)) {
            return "";
        }
        return String.format("%.2f×", r);
    }

    private String parameters() {
        return String.format("connections=%d over %d drivers after %d opened and closed, hold %ds; heartbeat %d "
                        + "clients × 1/s and %d × max, %d shards; fanout M=%d K=%d R=%s, bursts to L=%d; writes with %d listeners; duration %ds, "
                        + "warmup %ds, ping interval %d ms", connections, procs,
                connectionsWarmup == null ? connections : connectionsWarmup, hold, heartbeatClients, maxClients,
                shards, fanoutClients, fanoutGuilds, fanoutRate, burstListeners, writeListeners, duration, warmup,
                pingIntervalMs);
    }

    private String bunVersion() {
        Path bun = home.toAbsolutePath().normalize().resolve("bench/peers/bun-uws/node_modules/.bin/bun");
        return Files.isExecutable(bun) ? Servers.commandOutput(bun.toString(), "--version") : "not installed";
    }

    String machine() {
        long memKib = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memKib = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            memKib = -1;
        }
        String cpu = "";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("");
        } catch (IOException e) {
            cpu = "";
        }
        return String.format("%d cores (%s), %s memory, %s %s, Java %s, node %s, bun %s, open files limit %s",
                Runtime.getRuntime().availableProcessors(), cpu,
                memKib > 0 ? String.format("%.1f GiB", memKib / 1024.0 / 1024.0) : "unknown",
                System.getProperty("os.name"), System.getProperty("os.version"),
                ManagementFactory.getRuntimeMXBean().getVmVersion(),
                Servers.commandOutput("node", "--version"), bunVersion(),
                Servers.commandOutput("sh", "-c", "ulimit -n"));
    }
}
