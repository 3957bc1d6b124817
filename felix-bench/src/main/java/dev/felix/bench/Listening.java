package dev.felix.bench;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Sets what clients listen to, and waits until the server has applied it. */
final class Listening {
    private Listening() {
    }

    /**
     * Sends each client its listeners update followed by a heartbeat; the server handles a
     * socket's messages in order, so the heartbeat's ACK proves the update is in place.
     */
    static void listen(List<Conn> conns, IntFunction<List<String>> guildsOf) {
        CountDownLatch applied = new CountDownLatch(conns.size());
        for (int i = 0; i < conns.size(); i++) {
            Conn conn = conns.get(i);
            conn.onAck(nanos -> applied.countDown());
            conn.listen(guildsOf.apply(i));
            conn.heartbeat();
        }
        try {
            if (!applied.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException(applied.getCount() + " of " + conns.size()
                        + " clients got no answer after their listeners update");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        conns.forEach(c -> c.onAck(nanos -> { }));
    }
}
