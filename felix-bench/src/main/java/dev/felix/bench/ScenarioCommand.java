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
        List<Metric> metrics = Runner.run(this, target, spec.commandLine().getParseResult().originalArgs());
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
