package dev.felix.api;

import dev.felix.api.spi.GatewayProvider;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * A gateway embedded in a JVM bot: Felix's WebSocket and the REST API served from the bot's
 * process, fed by its status sources, with entry writes straight from bot code. The gateway
 * itself is {@code dev.felix:felix-server}, found on the class path when {@link Builder#start()} runs.
 *
 * <pre>{@code
 * FelixGateway gateway = FelixGateway.builder()
 *         .dataDir(Path.of("felix-data"))
 *         .statusSource("bot", JdaStatusSource.of(shardManager))
 *         .start();
 * gateway.guilds().put("123456789012345678", "{\"prefix\":\"!\"}");
 * }</pre>
 */
public interface FelixGateway extends AutoCloseable {

    static Builder builder() {
        return new Builder();
    }

    /** Guild entries: writes reach clients listening to the guild. */
    Entries guilds();

    /** User entries: writes reach clients listening to the user. */
    Entries users();

    /** The port Felix's WebSocket is bound to (the chosen one when configured as 0). */
    int wsPort();

    /** The port the REST API is bound to. */
    int httpPort();

    /**
     * Stops the status sources, then the gateway (sockets closed with 1001, queued writes
     * committed); the first exception a source threw is rethrown once all are stopped. Later calls
     * do nothing.
     */
    @Override
    void close();

    /** How to start an embedded gateway; unset options take the defaults of {@code felix serve}. */
    final class Builder {
        private final Map<String, String> options = new LinkedHashMap<>();
        private final Map<String, StatusSource> sources = new LinkedHashMap<>();

        private Builder() {
        }

        /** The embedded SQLite store's directory (default {@code ./data}). */
        public Builder dataDir(Path dir) {
            return option("data", Objects.requireNonNull(dir, "dir").toString());
        }

        /** A JDBC URL instead of the embedded store (a {@code jdbc:postgresql:} URL for PostgreSQL). */
        public Builder jdbcUrl(String url) {
            return option("db-url", Objects.requireNonNull(url, "url"));
        }

        /** The address both ports bind to (default {@code 0.0.0.0}). */
        public Builder host(String host) {
            return option("host", Objects.requireNonNull(host, "host"));
        }

        /** Felix's WebSocket port (default 8090; 0 picks a free one). */
        public Builder wsPort(int port) {
            return option("ws-port", Integer.toString(port));
        }

        /** The REST API port (default 8080; 0 picks a free one). */
        public Builder httpPort(int port) {
            return option("http-port", Integer.toString(port));
        }

        /**
         * Any other option of {@code felix serve}, by its {@code felix.yml} key and as the file writes
         * its value: {@code option("ping-interval-ms", "5000")}. Checked like the file when the gateway
         * starts.
         */
        public Builder option(String key, String value) {
            options.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Adds a status source under a name of its own; its shards and guild count show in every heartbeat
         * ACK, merged with the other sources'.
         */
        public Builder statusSource(String name, StatusSource source) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(source, "source");
            if (sources.putIfAbsent(name, source) != null) {
                throw new IllegalArgumentException("a status source named " + name + " was already added");
            }
            return this;
        }

        /**
         * Opens the store, binds both ports and starts the status sources.
         *
         * @throws IllegalArgumentException when an option is unknown or its value wrong
         * @throws IllegalStateException    when no gateway is on the class path (add {@code dev.felix:felix-server})
         */
        public FelixGateway start() {
            GatewayProvider provider = ServiceLoader.load(GatewayProvider.class, FelixGateway.class.getClassLoader())
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(
                            "no gateway on the class path: add the dependency dev.felix:felix-server"));
            return provider.start(Map.copyOf(options), new LinkedHashMap<>(sources));
        }
    }
}
