package dev.felix.server.metrics;

/** What Felix's WebSocket counts, read when the meters are scraped. */
public interface WebSocketCounters {
    /** Bytes written to sockets and not yet handed to the operating system, over all sessions. */
    long queuedBytes();

    /** Sessions closed because their client read slower than the server wrote. */
    long slowConsumers();

    /** Sessions closed because their client sent frames faster than allowed. */
    long rateLimited();

    /** Handshakes refused because the token already held its most connections. */
    long connectionLimitRefusals();

    /** Connections closed because they had not completed the upgrade in time. */
    long handshakeTimeouts();
}
