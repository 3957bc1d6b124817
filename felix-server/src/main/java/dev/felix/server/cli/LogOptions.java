package dev.felix.server.cli;

import dev.felix.server.logging.LogFormat;
import dev.felix.server.logging.LogLevel;
import dev.felix.server.logging.Logs;
import picocli.CommandLine.Option;

/** How the gateway logs: format and level. */
final class LogOptions {
    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text",
            description = "Log lines on stderr: text or json (one JSON object per line) "
                    + "(env FELIX_LOG_FORMAT, default: ${DEFAULT-VALUE}).")
    LogFormat format;

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "INFO",
            description = "Lowest level logged: TRACE, DEBUG, INFO, WARN or ERROR (env FELIX_LOG_LEVEL, default: ${DEFAULT-VALUE}).")
    LogLevel level;

    void apply() {
        Logs.apply(format, level);
    }
}
