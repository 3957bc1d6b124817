package dev.felix.bench;

import dev.felix.protocol.ClientMessage;
import dev.felix.protocol.OpCode;
import dev.felix.protocol.Wire;
import io.vertx.core.http.WebSocket;

import java.util.List;
import java.util.function.Consumer;

/**
 * One benchmark client. Its handlers run on the event loop that owns its socket, while a
 * scenario's timer may send heartbeats from another loop, so the queue of heartbeat send times
 * (the server answers heartbeats in order) is guarded by the connection's lock.
 */
final class Conn {
    final WebSocket ws;
    private final long[] sentAt = new long[64];
    private int head;
    private int size;
    /** Set by the scenario's thread, called on the socket's loop. */
    private volatile Consumer<Long> onAck = latency -> { };
    private volatile Consumer<String> onUpdate = text -> { };
    volatile boolean closed;

    Conn(WebSocket ws, Refusals refusals) {
        this.ws = ws;
        ws.textMessageHandler(this::onText);
        ws.closeHandler(v -> {
            closed = true;
            refusals.closed(ws.closeStatusCode(), ws.closeReason());
        });
        ws.exceptionHandler(e -> { });
    }

    /** Called with each ACK's latency in nanoseconds. */
    void onAck(Consumer<Long> handler) {
        onAck = handler;
    }

    /** Called with the text of each GDB/UDB update. */
    void onUpdate(Consumer<String> handler) {
        onUpdate = handler;
    }

    /** Sends a heartbeat unless too many are unanswered; returns whether it was sent. */
    synchronized boolean heartbeat() {
        if (closed || size == sentAt.length) {
            return false;
        }
        sentAt[(head + size++) % sentAt.length] = System.nanoTime();
        ws.writeTextMessage(Wire.encodeHeartbeat());
        return true;
    }

    void listen(List<String> guilds) {
        ws.writeTextMessage(listenersUpdate(guilds));
    }

    /** The message that makes a socket listen to {@code guilds} (and no users). */
    static String listenersUpdate(List<String> guilds) {
        return Wire.encodeListenersUpdate(new ClientMessage.ListenersUpdate(List.of(), guilds, null));
    }

    private synchronized long takeSentAt() {
        if (size == 0) {
            return Long.MIN_VALUE;
        }
        long sent = sentAt[head];
        head = (head + 1) % sentAt.length;
        size--;
        return sent;
    }

    private void onText(String text) {
        OpCode code = Messages.codeOf(text);
        if (code == OpCode.HEARTBEAT_ACK) {
            long sent = takeSentAt();
            if (sent != Long.MIN_VALUE) {
                onAck.accept(System.nanoTime() - sent);
            }
        } else if (code == OpCode.GDB_UPDATE || code == OpCode.UDB_UPDATE) {
            onUpdate.accept(text);
        }
    }
}
