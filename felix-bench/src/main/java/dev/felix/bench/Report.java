package dev.felix.bench;

import java.io.PrintStream;
import java.util.List;

/** Plain-text tables of metrics. */
final class Report {
    private Report() {
    }

    static void print(PrintStream out, List<Metric> metrics) {
        int width = metrics.stream().mapToInt(m -> m.name().length()).max().orElse(10);
        for (Metric m : metrics) {
            out.printf("%-" + width + "s  %s%n", m.name(), m.formatted());
        }
    }
}
