package dev.felix.bench;

import java.util.List;

/**
 * One benchmark. {@link Runner} calls, in one process or spread over several:
 * {@link #setup} once (top process only), {@link #warmUp} in every driver, then, once every driver
 * has warmed up, {@link #prepare} in every driver (open sockets), then, once every driver is ready,
 * {@link #run} in every driver, and {@link #metrics} on the merged result.
 */
interface Scenario {
    String name();

    /** Total WebSocket clients this scenario opens over all processes. */
    int clients();

    /** Whether the clients may be spread over several driver processes. */
    default boolean splittable() {
        return false;
    }

    /** Whether the server's memory growth per connection is part of this scenario's report. */
    default boolean measuresMemory() {
        return false;
    }

    /** Pooled HTTP connections this scenario needs for writes. */
    default int httpConnections() {
        return 1;
    }

    default void setup(Clients clients, Result result) {
    }

    /** Undoes what {@link #setup} left on the server, once the run is over (failed runs included). */
    default void teardown(Clients clients) {
    }

    /**
     * Work done and undone before the measured part, the same for every server (a JIT compiles it); the
     * server's memory is read again after it.
     */
    default void warmUp(Clients clients, Target target, Result result) {
    }

    /** Whether {@link #warmUp} does anything, so that the server's memory after it is worth reading. */
    default boolean warmsUp() {
        return false;
    }

    void prepare(Clients clients, Target target, Result result);

    void run(Clients clients, Target target, Result result);

    List<Metric> metrics(Result merged);
}
