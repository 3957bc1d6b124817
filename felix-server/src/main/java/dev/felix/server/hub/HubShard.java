package dev.felix.server.hub;

import dev.felix.protocol.EntryKind;
import dev.felix.server.metrics.GatewayMetrics;
import dev.felix.server.store.Entry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The part of the listener index that one event loop owns, and its inbox of changes to deliver.
 * The index is touched only on that loop; the inbox is filled from any thread.
 */
public final class HubShard {
    private static final Listener[] NONE = new Listener[0];

    private final EventLoop loop;
    private final GatewayMetrics metrics;
    private final Map<String, Set<Listener>> guilds = new HashMap<>();
    private final Map<String, Set<Listener>> users = new HashMap<>();
    /** Changes published and not yet delivered on this loop, oldest first. */
    private final Queue<Published> inbox = new ConcurrentLinkedQueue<>();
    /** Whether a drain of the inbox is queued on the loop and has not started yet. */
    private final AtomicBoolean drainQueued = new AtomicBoolean();
    /** The receivers of each change of the current drain, flushed at its end (a flush repeated is a no-op). */
    private final List<Listener[]> written = new ArrayList<>();

    /** @param frame a reference of the shard's own, released once the change is delivered */
    private record Published(Entry change, ByteBuf frame, long committedAt) {
    }

    public HubShard(EventLoop loop, GatewayMetrics metrics) {
        this.loop = loop;
        this.metrics = metrics;
    }

    /** Replaces what a listener listens to; on this shard's loop. */
    public void replace(Listener listener, EntryKind kind, Collection<String> previous, Collection<String> next) {
        Map<String, Set<Listener>> index = index(kind);
        for (String id : previous) {
            Set<Listener> set = index.get(id);
            if (set != null && set.remove(listener) && set.isEmpty()) {
                index.remove(id);
            }
        }
        for (String id : next) {
            index.computeIfAbsent(id, k -> new HashSet<>()).add(listener);
        }
    }

    /** Queues a committed change for this loop's listeners, taking over the reference to its frame. Thread-safe. */
    void publish(Entry change, ByteBuf frame, long committedAt) {
        inbox.add(new Published(change, frame, committedAt));
        if (drainQueued.compareAndSet(false, true)) {
            try {
                // Hop: from the publishing thread to this loop, once per batch of changes waiting here.
                loop.execute(this::drain);
            } catch (RejectedExecutionException stopped) {
                // The loop has shut down, and its sockets with it: nobody is left to deliver to. Cleared
                // first, so that the next change comes here again rather than waiting in the inbox for good.
                drainQueued.set(false);
                Published dropped;
                while ((dropped = inbox.poll()) != null) {
                    dropped.frame().release();
                }
            }
        }
    }

    /**
     * Delivers every waiting change. While more changes wait behind one, its sockets are flushed
     * only at the end, so the changes of a batch leave in one write per socket; the last change
     * flushes each socket as it goes, so the first ones send while the rest are written.
     */
    private void drain() {
        // Cleared first: a change queued from here on schedules the next drain.
        drainQueued.set(false);
        Published next;
        while ((next = inbox.poll()) != null) {
            boolean last = inbox.isEmpty();
            Listener[] receivers;
            try {
                receivers = deliver(next.change(), next.frame(), last);
            } finally {
                next.frame().release();
            }
            if (receivers.length > 0) {
                written.add(receivers);
                metrics.fanout(receivers.length, System.nanoTime() - next.committedAt());
            }
        }
        for (Listener[] receivers : written) {
            for (Listener listener : receivers) {
                listener.flush();
            }
        }
        written.clear();
    }

    /** Lends the framed update to every listener of the entry, flushed when asked; returns them. */
    public Listener[] deliver(Entry change, ByteBuf frame, boolean flush) {
        Set<Listener> set = index(change.kind()).get(change.id());
        if (set == null) {
            return NONE;
        }
        // A copy, because a listener may leave the index while it is delivered to (a slow consumer closed).
        Listener[] receivers = set.toArray(NONE);
        for (Listener listener : receivers) {
            listener.deliver(change, frame);
            if (flush) {
                listener.flush();
            }
        }
        return receivers;
    }

    private Map<String, Set<Listener>> index(EntryKind kind) {
        return kind == EntryKind.GUILD ? guilds : users;
    }
}
