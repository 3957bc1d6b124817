package dev.felix.server.ws;

import java.util.Collection;
import java.util.concurrent.atomic.LongAdder;

/** Counters of Felix's WebSocket that sessions update on their loops and anyone may read. */
public final class WsStats {
    private final Collection<Session> sessions;
    private final LongAdder slowConsumers = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();
    private final LongAdder connectionLimitRefusals = new LongAdder();
    private final LongAdder handshakeTimeouts = new LongAdder();

    WsStats(Collection<Session> sessions) {
        this.sessions = sessions;
    }

    /** Bytes written to sockets and not yet handed to the operating system, over all sessions. */
    public long queuedBytes() {
        long sum = 0;
        for (Session s : sessions) {
            sum += s.queuedBytes();
        }
        return sum;
    }

    /** Sessions closed because their client read slower than the server wrote. */
    public long slowConsumers() {
        return slowConsumers.sum();
    }

    /** Sessions closed because their client sent frames faster than allowed. */
    public long rateLimited() {
        return rateLimited.sum();
    }

    /** Handshakes refused because the token already held its most connections. */
    public long connectionLimitRefusals() {
        return connectionLimitRefusals.sum();
    }

    /** Connections closed because they had not completed the upgrade in time. */
    public long handshakeTimeouts() {
        return handshakeTimeouts.sum();
    }

    void slowConsumer() {
        slowConsumers.increment();
    }

    void rateLimit() {
        rateLimited.increment();
    }

    void connectionLimitRefusal() {
        connectionLimitRefusals.increment();
    }

    void handshakeTimeout() {
        handshakeTimeouts.increment();
    }
}
