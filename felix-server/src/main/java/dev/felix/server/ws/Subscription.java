package dev.felix.server.ws;

import dev.felix.protocol.EntryKind;
import dev.felix.server.store.Entry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * What one session listens to, and which entry updates it sends in what order: the resume state machine.
 *
 * <p>A listeners update with {@code since} is answered with the current state of every listened entry
 * that changed after it, read from the store (at one point in time) after the new sets are in the hub,
 * so every commit is either in that snapshot or delivered live afterwards. While the snapshot is read,
 * live updates are held; then both are merged, the newest version per entry kept, and sent in seq order.
 * Later live updates all have a higher seq or are older versions of snapshot entries, which are dropped:
 * the subscription remembers the last seq it sent per listened entry and never sends one that is not
 * newer. So the seqs a session sends only grow, and a client may resume from the highest seq it has seen
 * without missing a change.
 *
 * <p>One snapshot is read at a time, so a client cannot queue reads faster than the store answers them;
 * a resume asked for meanwhile waits, and only the latest counts.
 *
 * <p>Not thread-safe: every call, and every answer of {@link Snapshots}, runs on the owner's executor
 * (the session's event loop).
 */
final class Subscription {

    /** Where snapshots are read: the store. */
    interface Snapshots {
        /** The current version of each of these entries that changed after {@code since}, read at one point in time. */
        CompletionStage<List<Entry>> changedSince(Map<EntryKind, ? extends Collection<String>> ids, long since);
    }

    /** Where updates that were held go: the session's socket. */
    interface Output {
        /** Writes the update of this entry, which the output encodes, without flushing. */
        void send(Entry entry);

        /** Sends what was written. */
        void flush();

        /** A snapshot could not be read; nothing is held any more. */
        void resumeFailed(Throwable error);
    }

    private record EntryKey(EntryKind kind, String id) {
    }

    /** The seq of the last version of one entry sent; changed in place, so a delivery allocates nothing. */
    private static final class Sent {
        long seq;

        Sent(long seq) {
            this.seq = seq;
        }
    }

    private record Resume(Map<EntryKind, List<String>> ids, long since) {
    }

    private final Snapshots snapshots;
    private final Executor owner;
    private final Output out;
    /** Per kind (by ordinal), the listened IDs. Arrays rather than enum maps: every connection holds these. */
    @SuppressWarnings("unchecked")
    private final Set<String>[] listened = new Set[EntryKind.values().length];
    /** Per kind, listened ID → the last version sent; only listened IDs are kept; null until one is sent. */
    @SuppressWarnings("unchecked")
    private final Map<String, Sent>[] lastSent = new Map[EntryKind.values().length];
    /** Whether a snapshot is being read; while one is, updates wait in {@link #held}. */
    private boolean resuming;
    /** A resume asked for while a snapshot was read, to read next; only the latest is kept. */
    private Resume nextResume;
    /** The newest version per entry waiting to be sent once the pending snapshots are read; null when none. */
    private Map<EntryKey, Entry> held;
    private boolean closed;

    /** @param owner the executor that every call runs on, where snapshot answers are handled too */
    Subscription(Snapshots snapshots, Executor owner, Output out) {
        this.snapshots = snapshots;
        this.owner = owner;
        this.out = out;
        for (EntryKind kind : EntryKind.values()) {
            listened[kind.ordinal()] = Set.of();
        }
    }

    /** The IDs of this kind listened to now. */
    Set<String> listened(EntryKind kind) {
        return listened[kind.ordinal()];
    }

    /**
     * Replaces the listened sets (every kind given; the sets are kept, not copied) and, with
     * {@code since}, resumes from it. Called once the new sets are in the hub.
     */
    void listen(Map<EntryKind, Set<String>> next, Long since) {
        Map<EntryKind, List<String>> resumed = new EnumMap<>(EntryKind.class);
        for (EntryKind kind : EntryKind.values()) {
            Set<String> ids = next.get(kind);
            listened[kind.ordinal()] = ids;
            if (lastSent[kind.ordinal()] != null) {
                lastSent[kind.ordinal()].keySet().retainAll(ids);
            }
            if (!ids.isEmpty()) {
                resumed.put(kind, List.copyOf(ids));
            }
        }
        if (since != null && !resumed.isEmpty()) {
            resume(resumed, since);
        }
    }

    /**
     * A live update of a listened entry: true when the caller is to send it now, as framed once for every
     * receiver. While a snapshot is read it is held instead, and encoded again for this session when
     * sent (a resume is rare; a live update during one rarer).
     */
    boolean deliver(Entry change) {
        if (resuming) {
            hold(change);
            return false;
        }
        return isNewer(change);
    }

    /** The session has ended: snapshots still being read are let go. */
    void close() {
        closed = true;
        held = null;
        nextResume = null;
    }

    /** Records the change as sent when it is newer than what was last sent for its entry. */
    private boolean isNewer(Entry change) {
        Map<String, Sent> sent = lastSent[change.kind().ordinal()];
        if (sent == null) {
            sent = new HashMap<>();
            lastSent[change.kind().ordinal()] = sent;
        }
        Sent last = sent.get(change.id());
        if (last == null) {
            sent.put(change.id(), new Sent(change.seq()));
            return true;
        }
        if (change.seq() <= last.seq) {
            return false;
        }
        last.seq = change.seq();
        return true;
    }

    private void hold(Entry change) {
        if (held == null) {
            held = new HashMap<>();
        }
        EntryKey key = new EntryKey(change.kind(), change.id());
        Entry previous = held.get(key);
        if (previous == null || change.seq() > previous.seq()) {
            held.put(key, change);
        }
    }

    private void resume(Map<EntryKind, List<String>> ids, long since) {
        if (resuming) {
            nextResume = new Resume(ids, since);
            return;
        }
        resuming = true;
        // Hop: the store answers on its own thread; the result is handled back on the owner's executor.
        snapshots.changedSince(ids, since).whenCompleteAsync((entries, error) -> {
            resuming = false;
            if (closed) {
                return;
            }
            if (error != null) {
                held = null;
                nextResume = null;
                out.resumeFailed(error);
                return;
            }
            for (Entry entry : entries) {
                // since 0 asks for what exists; a deletion only matters to a client that saw the entry.
                if (!(since == 0 && entry.deleted())) {
                    hold(entry);
                }
            }
            Resume next = nextResume;
            nextResume = null;
            if (next != null) {
                // Held for entries no longer listened to, they would never be sent: let them go now.
                if (held != null) {
                    held.keySet().removeIf(key -> !listened(key.kind()).contains(key.id()));
                }
                resume(next.ids(), next.since());
            } else {
                flushHeld();
            }
        }, owner);
    }

    private void flushHeld() {
        if (held == null) {
            return;
        }
        List<Entry> ready = new ArrayList<>(held.values());
        held = null;
        ready.sort(Comparator.comparingLong(Entry::seq));
        for (Entry entry : ready) {
            if (listened(entry.kind()).contains(entry.id()) && isNewer(entry)) {
                out.send(entry);
            }
        }
        out.flush();
    }
}
