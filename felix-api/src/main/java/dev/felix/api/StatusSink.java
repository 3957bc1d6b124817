package dev.felix.api;

import dev.felix.protocol.StatusReport;

/** Where a {@link StatusSource} sends its reports. Thread-safe; each report replaces the previous one. */
@FunctionalInterface
public interface StatusSink {
    void report(StatusReport report);
}
