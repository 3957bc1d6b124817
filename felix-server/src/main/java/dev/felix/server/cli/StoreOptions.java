package dev.felix.server.cli;

import dev.felix.server.config.GatewayConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where the store is: shared by every command that opens it. */
final class StoreOptions {
    @Mixin
    ConfigFileOption configFile;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "${env:FELIX_DATA:-data}",
            description = "Data directory of the embedded SQLite store (env FELIX_DATA, default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--db-url", paramLabel = "URL", defaultValue = "${env:FELIX_DB_URL}",
            description = "JDBC URL of the store; a jdbc:postgresql: URL selects PostgreSQL (env FELIX_DB_URL).")
    String dbUrl;

    GatewayConfig.Builder applyTo(GatewayConfig.Builder builder) {
        return builder.dataDir(data).dbUrl(dbUrl);
    }
}
