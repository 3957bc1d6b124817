package dev.felix.server.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code --config FILE}. Read by {@link ConfigDefaults} before parsing; declared here so that
 * every command accepts and documents it.
 */
final class ConfigFileOption {
    @Option(names = ConfigDefaults.CONFIG_OPTION, paramLabel = "FILE",
            description = "YAML configuration file whose keys are the long option names without dashes, "
                    + "e.g. 'ws-port: 8090'. Flags and FELIX_* environment variables win over it (env FELIX_CONFIG).")
    Path file;
}
