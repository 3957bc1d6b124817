package dev.felix.server.ws;

import io.netty.util.concurrent.EventExecutor;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The sockets' ping timer: one task per event loop, as uWebSockets has, instead of a scheduled task
 * per socket (about 90 bytes of heap each, and a priority-queue insertion per socket). Each loop's
 * sockets are spread over {@value #TICKS} buckets by the tick they started in; every tick (an eighth of
 * the ping interval) visits one bucket, so each socket is visited once per interval, the first time one
 * interval after it started, less at most one tick. The visit is {@link FrameRules#pingTick}: a ping, or
 * the end of a socket whose last ping has no pong. A loop's sweep is touched only on that loop.
 */
final class Pings {
    /** Ticks per ping interval: how early, as a fraction of the interval, a socket's first ping may come. */
    static final int TICKS = 8;

    private final Duration interval;
    private final Map<EventExecutor, Sweep> sweeps = new ConcurrentHashMap<>();

    Pings(Duration interval) {
        this.interval = interval;
    }

    Duration interval() {
        return interval;
    }

    /** Starts pinging a socket; on its loop. */
    void add(FrameRules rules, EventExecutor loop) {
        sweeps.computeIfAbsent(loop, Sweep::new).add(rules);
    }

    /** Stops pinging a socket (nothing when it was never added); on its loop. */
    void remove(FrameRules rules, EventExecutor loop) {
        Sweep sweep = sweeps.get(loop);
        if (sweep != null) {
            sweep.remove(rules);
        }
    }

    /**
     * One loop's sockets, by bucket. A socket's {@link FrameRules#pingSlot} is its place here (index
     * times {@link #TICKS} plus bucket), so that it leaves in constant time: the last socket of its
     * bucket takes its place.
     */
    private final class Sweep {
        private final FrameRules[][] buckets = new FrameRules[TICKS][];
        private final int[] sizes = new int[TICKS];
        private long ticks;

        Sweep(EventExecutor loop) {
            for (int b = 0; b < TICKS; b++) {
                buckets[b] = new FrameRules[4];
            }
            long period = Math.max(1, interval.toNanos() / TICKS);
            loop.scheduleAtFixedRate(this::tick, period, period, TimeUnit.NANOSECONDS);
        }

        void add(FrameRules rules) {
            int b = (int) (ticks % TICKS);
            if (sizes[b] == buckets[b].length) {
                buckets[b] = Arrays.copyOf(buckets[b], sizes[b] * 2);
            }
            rules.pingSlot = sizes[b] * TICKS + b;
            buckets[b][sizes[b]++] = rules;
        }

        void remove(FrameRules rules) {
            int slot = rules.pingSlot;
            if (slot < 0) {
                return;
            }
            rules.pingSlot = -1;
            int b = slot % TICKS;
            int i = slot / TICKS;
            FrameRules[] bucket = buckets[b];
            int last = --sizes[b];
            if (i != last) {
                bucket[i] = bucket[last];
                bucket[i].pingSlot = slot;
            }
            bucket[last] = null;
        }

        private void tick() {
            int b = (int) (++ticks % TICKS);
            // A copy: a visit may end a socket, which leaves the bucket.
            FrameRules[] due = Arrays.copyOf(buckets[b], sizes[b]);
            for (FrameRules rules : due) {
                if (rules.pingSlot >= 0) {
                    rules.pingTick();
                }
            }
        }
    }
}
