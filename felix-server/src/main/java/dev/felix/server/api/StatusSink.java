package dev.felix.server.api;

import dev.felix.server.status.StatusReport;

/** Where a {@link StatusSource} sends its reports. Thread-safe; each report replaces the previous one. */
@FunctionalInterface
public interface StatusSink {
    void report(StatusReport report);
}
