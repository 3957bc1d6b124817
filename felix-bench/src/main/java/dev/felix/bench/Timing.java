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

    /**
     * The measured window of a phase whose load starts now. Fixed before the first request goes out,
     * so that with no warm-up the very first requests are measured too.
     */
    Window window() {
        long from = System.nanoTime() + warmup * 1_000_000_000L;
        return new Window(from, from + duration * 1_000_000_000L);
    }

    /** A span of {@link System#nanoTime()}: requests sent (or answers received) in it are measured. */
    record Window(long from, long until) {
        boolean contains(long nanos) {
            return nanos - from >= 0 && nanos - until < 0;
        }

        double seconds() {
            return (until - from) / 1e9;
        }

        /** Blocks the calling (scenario) thread until the window has closed. */
        void awaitEnd() {
            long left = until - System.nanoTime();
            if (left > 0) {
                ScenarioCommand.sleep(left / 1_000_000 + 1);
            }
        }
    }
}
