package dev.felix.server.auth;

import dev.felix.server.store.Scope;
import dev.felix.server.store.Store;
import dev.felix.server.store.StoreException;
import dev.felix.server.store.TokenRecord;
import dev.felix.server.store.Tokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Where a token is checked. Keeps the valid tokens of the store in memory, keyed by hash, so a
 * handshake or a REST call checks a token without touching the database.
 *
 * <p>Tokens are minted and revoked by other processes too ({@code felix token …}, other nodes),
 * so a background thread reloads the table every poll interval and tells the revocation
 * listeners about each token that disappeared (a session token also disappears with the token
 * that minted it). A session token minted on another node since the last reload is looked up in
 * the store when it is first offered ({@link #resolve}), so every node accepts it at once.
 */
public final class TokenRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TokenRegistry.class);
    /** Store lookups of unknown session tokens waiting at once; beyond, an unknown token is refused unread. */
    private static final int MAX_PENDING_LOOKUPS = 64;
    /** How long expired session tokens stay listed ({@code felix token list}) before they are deleted. */
    private static final long KEEP_EXPIRED_MS = Duration.ofDays(1).toMillis();
    private static final long PURGE_EVERY_MS = Duration.ofMinutes(10).toMillis();

    private final Store store;
    private final ScheduledExecutorService poller;
    private final ExecutorService lookups;
    private final AtomicInteger pendingLookups = new AtomicInteger();
    private final List<Consumer<TokenRecord>> revocationListeners = new CopyOnWriteArrayList<>();
    /** Valid tokens by hash; replaced by each reload, added to by lookups and mints in between. */
    private volatile Map<String, TokenRecord> active = new ConcurrentHashMap<>();
    private long purgedAt;

    public TokenRegistry(Store store, Duration pollInterval) {
        this.store = store;
        reload();
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "felix-token-poller"));
        this.lookups = Executors.newSingleThreadExecutor(r -> daemon(r, "felix-token-lookup"));
        long ms = pollInterval.toMillis();
        // Hop: polling reads the token table over JDBC, so it runs on its own thread; lookups read the cached map.
        poller.scheduleWithFixedDelay(this::reloadQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** The valid token with this plain value, or null. The value is hashed before it is looked up. */
    public TokenRecord find(String token) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        TokenRecord found = active.get(Tokens.hash(token));
        return found != null && found.validAt(System.currentTimeMillis()) ? found : null;
    }

    /**
     * As {@link #find}, and for a session token this node has not loaded yet, a look in the store.
     * The future completes at once when no lookup is needed, else on the lookup thread: with null for
     * a token that is not valid, or failed with {@link StoreException.Unavailable} when the token
     * could not be checked (lookups saturated, store unreachable). That is no verdict on the token,
     * so callers answer 503: a 403 would make clients drop a good token that a flood of made-up ones
     * kept from being checked.
     */
    public CompletableFuture<TokenRecord> resolve(String token) {
        TokenRecord known = find(token);
        if (known != null || !Tokens.looksLikeSession(token)) {
            return CompletableFuture.completedFuture(known);
        }
        if (pendingLookups.incrementAndGet() > MAX_PENDING_LOOKUPS) {
            pendingLookups.decrementAndGet();
            return CompletableFuture.failedFuture(new StoreException.Unavailable(
                    "too many session tokens are being checked at once", null));
        }
        String hash = Tokens.hash(token);
        // Hop: the store lookup is JDBC, on the lookup thread; the caller continues where it chooses.
        return CompletableFuture.supplyAsync(() -> {
            try {
                return store.findToken(hash).map(this::accepted).orElse(null);
            } catch (RuntimeException e) {
                log.warn("looking a session token up failed: {}", e.getMessage());
                throw e instanceof StoreException.Unavailable u ? u
                        : new StoreException.Unavailable("the token could not be checked: " + e.getMessage(), e);
            } finally {
                pendingLookups.decrementAndGet();
            }
        }, lookups);
    }

    /**
     * A looked-up session token counts when it is valid and so is the token that minted it. A minter
     * this node has not loaded yet (minted since the last reload) is read with a reload.
     */
    private TokenRecord accepted(TokenRecord token) {
        if (!token.validAt(System.currentTimeMillis())) {
            return null;
        }
        if (token.parent() != null && active.values().stream().noneMatch(t -> t.id() == token.parent())) {
            reload();
            return active.get(token.hash());
        }
        return remember(token);
    }

    /** Makes a token this process just minted valid here at once, before the next reload. */
    public void added(TokenRecord token) {
        remember(token);
    }

    private TokenRecord remember(TokenRecord token) {
        // Added during a reload that had read the table before, it is found again by a lookup or the next reload.
        active.put(token.hash(), token);
        return token;
    }

    /** True when the token is valid and private: the only kind the socket accepts. */
    public boolean isPrivate(TokenRecord token) {
        return token != null && token.scope() == Scope.PRIVATE;
    }

    /**
     * Called with each token that was revoked while the gateway ran, on the thread that reloaded:
     * the poller's, or the lookup thread's when a looked-up token's minter was new to this node.
     */
    public void onRevoked(Consumer<TokenRecord> listener) {
        revocationListeners.add(listener);
    }

    /** Reloads at once, e.g. after this process minted a token. */
    public synchronized void reload() {
        long now = System.currentTimeMillis();
        List<TokenRecord> valid = store.listValidTokens(now);
        Set<Long> validIds = new HashSet<>();
        valid.forEach(t -> validIds.add(t.id()));
        Map<String, TokenRecord> next = new ConcurrentHashMap<>();
        for (TokenRecord t : valid) {
            if (t.parent() == null || validIds.contains(t.parent())) {
                next.put(t.hash(), t);
            }
        }
        Map<String, TokenRecord> previous = active;
        active = next;
        for (TokenRecord gone : previous.values()) {
            // An expired session token is not revoked: its sockets are closed with "token expired" at its expiry.
            if (next.containsKey(gone.hash()) || !gone.validAt(now)) {
                continue;
            }
            // Minted here or looked up after the table was read above: still valid, and kept.
            if (store.findToken(gone.hash()).filter(t -> t.validAt(now)
                    && (t.parent() == null || validIds.contains(t.parent()))).isPresent()) {
                next.put(gone.hash(), gone);
                continue;
            }
            log.info("token {} (owner {}) revoked", gone.id(), gone.owner());
            revocationListeners.forEach(l -> l.accept(gone));
        }
        if (now - purgedAt >= PURGE_EVERY_MS) {
            purgedAt = now;
            store.deleteExpiredTokens(now - KEEP_EXPIRED_MS);
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
        lookups.shutdownNow();
    }
}
