package dev.felix.server.ws;

import dev.felix.server.metrics.WebSocketCounters;

import java.util.Collection;
import java.util.concurrent.atomic.LongAdder;

/** Counters of Felix's WebSocket that sessions update on their loops and anyone may read. */
public final class WsStats implements WebSocketCounters {
    private final Collection<Session> sessions;
    private final LongAdder slowConsumers = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();
    private final LongAdder connectionLimitRefusals = new LongAdder();
    private final LongAdder handshakeTimeouts = new LongAdder();

    WsStats(Collection<Session> sessions) {
        this.sessions = sessions;
    }

    @Override
    public long queuedBytes() {
        long sum = 0;
        for (Session s : sessions) {
            sum += s.queuedBytes();
        }
        return sum;
    }

    @Override
    public long slowConsumers() {
        return slowConsumers.sum();
    }

    @Override
    public long rateLimited() {
        return rateLimited.sum();
    }

    @Override
    public long connectionLimitRefusals() {
        return connectionLimitRefusals.sum();
    }

    @Override
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
