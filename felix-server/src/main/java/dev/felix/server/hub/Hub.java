package dev.felix.server.hub;

import dev.felix.protocol.EntryKind;
import dev.felix.protocol.Wire;
import dev.felix.server.metrics.GatewayMetrics;
import dev.felix.server.store.Entry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The listener index and fan-out: which sessions listen to which guild and user IDs, and the
 * delivery of each committed change to exactly those sessions.
 *
 * <p>Threads: the index is split into one {@link HubShard} per event loop, and a shard is only
 * read or changed on its own loop, so no lock is taken. A change is encoded and framed once, on the
 * thread that publishes it (a store thread), into one direct buffer that every shard's inbox and every
 * socket written to holds a reference to, released by the last of them; a
 * shard delivers what waits in its inbox in one hop onto its loop and flushes each socket once.
 * Per entry, changes reach a session in the order they were published.
 */
public final class Hub {
    private final Map<EventLoop, HubShard> shards = new ConcurrentHashMap<>();
    private final GatewayMetrics metrics;

    public Hub(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Replaces what a listener listens to. Must be called on the listener's loop.
     * The previous sets are given so the shard need not keep a reverse index.
     */
    public void replace(Listener listener, EntryKind kind, Collection<String> previous, Collection<String> next) {
        shardOf(listener.loop()).replace(listener, kind, previous, next);
    }

    /** Forgets a listener entirely. Must be called on the listener's loop. */
    public void remove(Listener listener, Collection<String> guilds, Collection<String> users) {
        HubShard shard = shardOf(listener.loop());
        shard.replace(listener, EntryKind.GUILD, guilds, List.of());
        shard.replace(listener, EntryKind.USER, users, List.of());
    }

    /** Sends a committed change to every session that listens to its ID. Thread-safe. */
    public void publish(Entry change) {
        long committedAt = System.nanoTime();
        ByteBuf frame = TextFrame.of(ByteBufAllocator.DEFAULT,
                Wire.encodeEntryUpdate(change.kind(), change.id(), change.json(), change.seq()));
        try {
            for (HubShard shard : shards.values()) {
                // Each shard holds a reference until it has handed the frame to its listeners.
                shard.publish(change, frame.retain(), committedAt);
            }
        } finally {
            frame.release();
        }
    }

    /** Messages handed to sessions since start. */
    public long deliveries() {
        return metrics.fanoutDeliveries();
    }

    /** Event loops with a part of the index; at most one per loop, however many sessions listen. */
    int shardCount() {
        return shards.size();
    }

    private HubShard shardOf(EventLoop loop) {
        return shards.computeIfAbsent(loop, l -> new HubShard(l, metrics));
    }
}
