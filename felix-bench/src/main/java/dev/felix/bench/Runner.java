package dev.felix.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a scenario in this process, or spreads its clients over child driver processes.
 *
 * <p>Children speak a line protocol on their stdin/stdout: a child prints {@code WARM} once it has
 * warmed up, waits for {@code OPEN}, prints {@code READY} once its sockets are open, waits for
 * {@code GO}, then prints {@code RESULT <json>}. The parent reads the server's memory between the
 * last WARM and OPEN, when every driver has warmed up and none has opened its sockets yet, and
 * between the last READY and GO, so it sees every connection held at once.
 */
final class Runner {
    static final String WARM = "WARM";
    static final String OPEN = "OPEN";
    static final String READY = "READY";
    static final String GO = "GO";
    static final String RESULT = "RESULT ";

    private Runner() {
    }

    /**
     * Runs the scenario and returns its metrics, with the server's memory when a PID is given.
     *
     * @throws RunFailed when the server refused handshakes or closed sockets during the run
     */
    static List<Metric> run(Scenario scenario, Target target, List<String> args) {
        target.validate();
        if (target.child != null) {
            runChild(scenario, target);
            return List.of();
        }
        Result result = new Result();
        boolean memory = scenario.measuresMemory() && target.serverPid != null;
        long rssBefore = memory ? Rss.kib(target.serverPid) : -1;
        boolean warmMemory = memory && scenario.warmsUp();
        long rssWarm = -1;
        long rssAfter;
        int procs = scenario.splittable() ? Math.min(target.procs, Math.max(1, scenario.clients())) : 1;
        if (procs == 1) {
            try (Clients clients = new Clients(target, scenario.httpConnections())) {
                try {
                    scenario.setup(clients, result);
                    scenario.warmUp(clients, target, result);
                    rssWarm = warmMemory ? settledRss(target.serverPid) : -1;
                    scenario.prepare(clients, target, result);
                    rssAfter = memory ? settledRss(target.serverPid) : -1;
                    scenario.run(clients, target, result);
                    clients.refusals.addTo(result);
                } finally {
                    scenario.teardown(clients);
                }
            }
        } else {
            List<Child> children = new ArrayList<>();
            try {
                try (Clients clients = new Clients(target, 1)) {
                    scenario.setup(clients, result);
                }
                for (int i = 0; i < procs; i++) {
                    children.add(Child.start(scenario.name(), args, i, procs));
                }
                for (Child c : children) {
                    c.expect(WARM);
                }
                rssWarm = warmMemory ? settledRss(target.serverPid) : -1;
                for (Child c : children) {
                    c.send(OPEN);
                }
                for (Child c : children) {
                    c.expect(READY);
                }
                rssAfter = memory ? settledRss(target.serverPid) : -1;
                for (Child c : children) {
                    c.send(GO);
                }
                for (Child c : children) {
                    result.merge(c.awaitResult());
                }
            } finally {
                children.forEach(Child::destroy);
                try (Clients clients = new Clients(target, 1)) {
                    scenario.teardown(clients);
                }
            }
        }
        List<Metric> metrics = new ArrayList<>(scenario.metrics(result));
        if (rssBefore > 0 && rssAfter > 0) {
            long opened = result.count("opened");
            metrics.add(Metric.cost(scenario.name() + ".server_rss_before", rssBefore / 1024.0, "MiB"));
            if (rssWarm > 0) {
                metrics.add(Metric.cost(scenario.name() + ".server_rss_warm", rssWarm / 1024.0, "MiB"));
            }
            metrics.add(Metric.cost(scenario.name() + ".server_rss_after", rssAfter / 1024.0, "MiB"));
            if (opened > 0) {
                metrics.add(Metric.cost(scenario.name() + ".server_rss_per_conn", (rssAfter - rssBefore) / (double) opened,
                        "KiB"));
                // From the warmed-up server: without what the JIT and the first allocations took, but also
                // without memory the warm-up made resident and the held connections then reused.
                if (rssWarm > 0) {
                    metrics.add(Metric.cost(scenario.name() + ".server_rss_per_conn_warm",
                            (rssAfter - rssWarm) / (double) opened, "KiB"));
                }
            }
        }
        result.notes.forEach(n -> System.err.println("note: " + n));
        List<String> refused = Refusals.explain(result);
        if (!refused.isEmpty()) {
            throw new RunFailed(metrics, scenario.name() + ": the server refused or closed connections, so the numbers "
                    + "do not measure the load asked for:\n  " + String.join("\n  ", refused));
        }
        return metrics;
    }

    /** A run whose server refused or closed connections: its metrics, and why they do not count. */
    static final class RunFailed extends RuntimeException {
        final List<Metric> metrics;

        RunFailed(List<Metric> metrics, String message) {
            super(message);
            this.metrics = metrics;
        }
    }

    /** The server's RSS once it has had a moment to finish the work of the last handshakes. */
    private static long settledRss(long pid) {
        ScenarioCommand.sleep(2000);
        return Rss.kib(pid);
    }

    private static void runChild(Scenario scenario, Target target) {
        Result result = new Result();
        try (Clients clients = new Clients(target, scenario.httpConnections())) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            scenario.warmUp(clients, target, result);
            System.out.println(WARM);
            System.out.flush();
            if (!await(in, OPEN)) {
                return;
            }
            scenario.prepare(clients, target, result);
            System.out.println(READY);
            System.out.flush();
            if (!await(in, GO)) {
                return;
            }
            scenario.run(clients, target, result);
            clients.refusals.addTo(result);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        System.out.println(RESULT + result.toJson());
        System.out.flush();
    }

    /** Reads the parent's lines until this one; false when the parent is gone first. */
    private static boolean await(BufferedReader in, String word) throws IOException {
        String line;
        do {
            line = in.readLine();
        } while (line != null && !line.equals(word));
        return line != null;
    }

    /** A driver process started by this one. */
    private static final class Child {
        private final Process process;
        private final BufferedReader out;
        private final Writer in;
        private final int index;

        private Child(Process process, int index) {
            this.process = process;
            this.index = index;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        static Child start(String scenario, List<String> args, int index, int count) {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(BenchCommand.class.getName());
            cmd.add(scenario);
            cmd.addAll(args);
            cmd.add("--procs=1");
            cmd.add("--child=" + index + "/" + count);
            try {
                Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                return new Child(p, index);
            } catch (IOException e) {
                throw new IllegalStateException("cannot start driver process: " + e.getMessage(), e);
            }
        }

        void send(String word) {
            try {
                in.write(word + "\n");
                in.flush();
            } catch (IOException e) {
                throw new IllegalStateException("driver " + index + " is gone: " + e.getMessage(), e);
            }
        }

        Result awaitResult() {
            return Result.fromJson(expect(RESULT).substring(RESULT.length()));
        }

        String expect(String prefix) {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("driver " + index + " is gone: " + e.getMessage(), e);
            }
            throw new IllegalStateException("driver " + index + " ended without " + prefix.trim());
        }

        void destroy() {
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroy();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroy();
            }
        }
    }
}
