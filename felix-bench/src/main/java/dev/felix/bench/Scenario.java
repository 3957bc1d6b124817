package dev.felix.bench;

import java.util.List;

/**
 * One benchmark. {@link Runner} calls, in one process or spread over several:
 * {@link #setup} once (top process only), {@link #prepare} in every driver (open sockets),
 * then, once every driver is ready, {@link #run} in every driver, and {@link #metrics} on the
 * merged result.
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

    void prepare(Clients clients, Target target, Result result);

    void run(Clients clients, Target target, Result result);

    List<Metric> metrics(Result merged);
}
