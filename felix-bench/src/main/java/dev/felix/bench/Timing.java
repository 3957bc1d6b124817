package dev.felix.bench;

import picocli.CommandLine.Option;

/** How long a timed scenario loads the server before measuring, and how long it measures. */
final class Timing {
    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "10",
            description = "Measured time (of each phase, where a scenario has several) (default: ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "3",
            description = "Load before measuring, in each phase (default: ${DEFAULT-VALUE}).")
    int warmup;
}
