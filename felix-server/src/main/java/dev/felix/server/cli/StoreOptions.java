package dev.felix.server.cli;

import dev.felix.server.config.GatewayConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;

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

    @Option(names = "--db-user", paramLabel = "USER", defaultValue = "${env:FELIX_DB_USER}",
            description = "PostgreSQL user, unless the URL names it (env FELIX_DB_USER).")
    String dbUser;

    @Option(names = "--db-password", paramLabel = "PASSWORD", defaultValue = "${env:FELIX_DB_PASSWORD}",
            description = "PostgreSQL password (env FELIX_DB_PASSWORD; prefer the variable, the command line "
                    + "is visible to other users of the machine).")
    String dbPassword;

    @Option(names = "--change-log-retention-minutes", paramLabel = "MIN",
            defaultValue = "${env:FELIX_CHANGE_LOG_RETENTION_MINUTES:-1440}",
            description = "PostgreSQL only: how long change-log rows are kept before they are pruned "
                    + "(env FELIX_CHANGE_LOG_RETENTION_MINUTES, default: ${DEFAULT-VALUE}).")
    long changeLogRetentionMinutes;

    GatewayConfig.Builder applyTo(GatewayConfig.Builder builder) {
        return builder.dataDir(data).dbUrl(dbUrl).dbUser(dbUser).dbPassword(dbPassword)
                .changeLogRetention(Duration.ofMinutes(changeLogRetentionMinutes));
    }
}
