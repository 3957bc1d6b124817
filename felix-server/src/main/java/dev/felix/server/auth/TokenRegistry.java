package dev.felix.server.auth;

import dev.felix.server.store.Scope;
import dev.felix.server.store.Store;
import dev.felix.server.store.TokenRecord;
import dev.felix.server.store.Tokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Where a token is checked. Keeps the valid tokens of the store in memory, keyed by hash, so a
 * handshake or a REST call checks a token without touching the database.
 *
 * <p>Tokens are minted and revoked by other processes too ({@code felix token …}, other nodes),
 * so a background thread reloads the table every poll interval and tells the revocation
 * listeners about each token that disappeared.
 */
public final class TokenRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TokenRegistry.class);

    private final Store store;
    private final ScheduledExecutorService poller;
    private final List<Consumer<TokenRecord>> revocationListeners = new CopyOnWriteArrayList<>();
    private volatile Map<String, TokenRecord> active = Map.of();

    public TokenRegistry(Store store, Duration pollInterval) {
        this.store = store;
        reload();
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "felix-token-poller");
            t.setDaemon(true);
            return t;
        });
        long ms = pollInterval.toMillis();
        // Hop: polling reads the token table over JDBC, so it runs on its own thread; lookups read the cached map.
        poller.scheduleWithFixedDelay(this::reloadQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** The valid token with this plain value, or null. The value is hashed before it is looked up. */
    public TokenRecord find(String token) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        return active.get(Tokens.hash(token));
    }

    /** True when the token is valid and private: the only kind the socket accepts. */
    public boolean isPrivate(TokenRecord token) {
        return token != null && token.scope() == Scope.PRIVATE;
    }

    /** Called on the poller thread with each token that was revoked while the gateway ran. */
    public void onRevoked(Consumer<TokenRecord> listener) {
        revocationListeners.add(listener);
    }

    /** Reloads at once, e.g. after this process minted a token. */
    public synchronized void reload() {
        Map<String, TokenRecord> next = new HashMap<>();
        for (TokenRecord t : store.listTokens()) {
            if (t.active()) {
                next.put(t.hash(), t);
            }
        }
        Map<String, TokenRecord> previous = active;
        active = Map.copyOf(next);
        for (TokenRecord gone : previous.values()) {
            if (!next.containsKey(gone.hash())) {
                log.info("token {} (owner {}) revoked", gone.id(), gone.owner());
                revocationListeners.forEach(l -> l.accept(gone));
            }
        }
    }

    private void reloadQuietly() {
        try {
            reload();
        } catch (RuntimeException e) {
            log.warn("reloading tokens failed: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
