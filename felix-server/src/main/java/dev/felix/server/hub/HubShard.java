package dev.felix.server.hub;

import dev.felix.protocol.EntryKind;
import dev.felix.server.store.Entry;
import io.netty.channel.EventLoop;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** The part of the listener index that one event loop owns. Touched only on that loop. */
final class HubShard {
    private final EventLoop loop;
    private final Map<String, Set<Listener>> guilds = new HashMap<>();
    private final Map<String, Set<Listener>> users = new HashMap<>();

    HubShard(EventLoop loop) {
        this.loop = loop;
    }

    EventLoop loop() {
        return loop;
    }

    void replace(Listener listener, EntryKind kind, Collection<String> previous, Collection<String> next) {
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

    /** Hands the message to every listener of the entry; returns how many got it. */
    int deliver(Entry change, byte[] message) {
        Set<Listener> set = index(change.kind()).get(change.id());
        if (set == null) {
            return 0;
        }
        // A copy, because a listener may leave the index while it is delivered to (a slow consumer closed).
        Listener[] receivers = set.toArray(new Listener[0]);
        for (Listener listener : receivers) {
            listener.deliver(change, message);
        }
        return receivers.length;
    }

    private Map<String, Set<Listener>> index(EntryKind kind) {
        return kind == EntryKind.GUILD ? guilds : users;
    }
}
