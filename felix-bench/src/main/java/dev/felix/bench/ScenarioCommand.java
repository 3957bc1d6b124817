package dev.felix.bench;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.List;
import java.util.concurrent.Callable;

/** A scenario run from the command line: runs it and prints its metrics. */
abstract class ScenarioCommand implements Scenario, Callable<Integer> {
    @Mixin
    Target target;

    @Spec
    CommandSpec spec;

    @Override
    public String name() {
        return spec.name();
    }

    @Override
    public Integer call() {
        // The parse result holds the whole command line, which starts with this scenario's name;
        // driver processes are given the options after it.
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        List<Metric> metrics;
        try {
            metrics = Runner.run(this, target, args.subList(args.indexOf(name()) + 1, args.size()));
        } catch (Runner.RunFailed failed) {
            Report.print(System.out, failed.metrics);
            System.err.println("felix bench " + failed.getMessage());
            return 1;
        }
        if (target.child == null) {
            Report.print(System.out, metrics);
        }
        return 0;
    }

    /** Sleeps, treating an interrupt as the end of the run. */
    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
