package dev.felix.server.api;

import dev.felix.api.Entries;
import dev.felix.api.FelixGateway;
import dev.felix.api.StatusSource;
import dev.felix.protocol.EntryKind;
import dev.felix.server.Gateway;
import dev.felix.server.config.GatewayConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@link FelixGateway} on a running {@link Gateway}, with the status sources it started. */
final class EmbeddedGateway implements FelixGateway {
    private final Gateway gateway;
    private final Map<String, StatusSource> sources;
    private final Entries guilds;
    private final Entries users;
    private boolean closed;

    private EmbeddedGateway(Gateway gateway, Map<String, StatusSource> sources) {
        this.gateway = gateway;
        this.sources = sources;
        this.guilds = new ServiceEntries(EntryKind.GUILD, gateway.entries());
        this.users = new ServiceEntries(EntryKind.USER, gateway.entries());
    }

    /** Opens the store, binds both ports and starts the status sources; nothing stays open on failure. */
    static EmbeddedGateway start(GatewayConfig config, Map<String, StatusSource> sources) {
        Gateway gateway = Gateway.start(config);
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
        return new EmbeddedGateway(gateway, started);
    }

    @Override
    public Entries guilds() {
        return guilds;
    }

    @Override
    public Entries users() {
        return users;
    }

    @Override
    public int wsPort() {
        return gateway.wsPort();
    }

    @Override
    public int httpPort() {
        return gateway.httpPort();
    }

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
}
