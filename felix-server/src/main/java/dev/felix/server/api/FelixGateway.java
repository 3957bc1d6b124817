package dev.felix.server.api;

import dev.felix.protocol.EntryKind;
import dev.felix.server.Gateway;
import dev.felix.server.config.GatewayConfig;
import dev.felix.server.config.Settings;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A gateway embedded in a JVM bot: Felix's WebSocket and the REST API served from the bot's
 * process, fed by its status sources, with entry writes straight from bot code.
 *
 * <pre>{@code
 * FelixGateway gateway = FelixGateway.builder()
 *         .dataDir(Path.of("felix-data"))
 *         .statusSource("bot", JdaStatusSource.of(shardManager))
 *         .start();
 * gateway.guilds().put("123456789012345678", "{\"prefix\":\"!\"}");
 * }</pre>
 */
public final class FelixGateway implements AutoCloseable {
    private final Gateway gateway;
    private final Map<String, StatusSource> sources;
    private final Entries guilds;
    private final Entries users;
    private boolean closed;

    private FelixGateway(Gateway gateway, Map<String, StatusSource> sources) {
        this.gateway = gateway;
        this.sources = sources;
        this.guilds = new Entries(EntryKind.GUILD, gateway.entries());
        this.users = new Entries(EntryKind.USER, gateway.entries());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Guild entries: writes reach clients listening to the guild ({@link dev.felix.protocol.OpCode#GDB_UPDATE}). */
    public Entries guilds() {
        return guilds;
    }

    /** User entries: writes reach clients listening to the user ({@link dev.felix.protocol.OpCode#UDB_UPDATE}). */
    public Entries users() {
        return users;
    }

    /** The port Felix's WebSocket is bound to (the chosen one when configured as 0). */
    public int wsPort() {
        return gateway.wsPort();
    }

    /** The port the REST API is bound to. */
    public int httpPort() {
        return gateway.httpPort();
    }

    /**
     * Stops the status sources, then the gateway (sockets closed with 1001, queued writes
     * committed); the first exception a source threw is rethrown once all are stopped. Later calls
     * do nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Each source is closed whatever the others do: one that throws must not leave the rest
        // (their listeners, their threads) running.
        RuntimeException failed = null;
        for (Map.Entry<String, StatusSource> source : sources.entrySet()) {
            try {
                source.getValue().close();
            } catch (RuntimeException e) {
                failed = collect(failed, e);
            }
            gateway.status().remove(source.getKey());
        }
        try {
            gateway.close();
        } catch (RuntimeException e) {
            failed = collect(failed, e);
        }
        if (failed != null) {
            throw failed;
        }
    }

    private static RuntimeException collect(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /** How to start an embedded gateway; unset options take the defaults of {@code felix serve}. */
    public static final class Builder {
        private GatewayConfig.Builder config = GatewayConfig.builder();
        private final Map<String, StatusSource> sources = new LinkedHashMap<>();

        private Builder() {
        }

        /** The embedded SQLite store's directory (default {@code ./data}). */
        public Builder dataDir(Path dir) {
            config.set(Settings.DATA, Objects.requireNonNull(dir, "dir"));
            return this;
        }

        /** A JDBC URL instead of the embedded store (a {@code jdbc:postgresql:} URL for PostgreSQL). */
        public Builder jdbcUrl(String url) {
            config.set(Settings.DB_URL, Objects.requireNonNull(url, "url"));
            return this;
        }

        /** The address both ports bind to (default {@code 0.0.0.0}). */
        public Builder host(String host) {
            config.set(Settings.HOST, host);
            return this;
        }

        /** Felix's WebSocket port (default 8090; 0 picks a free one). */
        public Builder wsPort(int port) {
            config.set(Settings.WS_PORT, port);
            return this;
        }

        /** The REST API port (default 8080; 0 picks a free one). */
        public Builder httpPort(int port) {
            config.set(Settings.HTTP_PORT, port);
            return this;
        }

        /** Any other gateway setting, on the builder {@code felix serve} uses. */
        public Builder config(UnaryOperator<GatewayConfig.Builder> change) {
            config = change.apply(config);
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

        /** Opens the store, binds both ports and starts the status sources. */
        public FelixGateway start() {
            Gateway gateway = Gateway.start(config.build());
            Map<String, StatusSource> started = new LinkedHashMap<>();
            try {
                sources.forEach((name, source) -> {
                    source.start(report -> gateway.status().put(name, report));
                    started.put(name, source);
                });
            } catch (RuntimeException e) {
                started.values().forEach(StatusSource::close);
                gateway.close();
                throw e;
            }
            return new FelixGateway(gateway, started);
        }
    }
}
