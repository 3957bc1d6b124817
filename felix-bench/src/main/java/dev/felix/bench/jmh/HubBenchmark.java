package dev.felix.bench.jmh;

import dev.felix.protocol.EntryKind;
import dev.felix.protocol.Wire;
import dev.felix.server.hub.HubShard;
import dev.felix.server.hub.Listener;
import dev.felix.server.hub.TextFrame;
import dev.felix.server.metrics.GatewayMetrics;
import dev.felix.server.store.Entry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The hub's index on one event loop ({@link HubShard}, called directly rather than through its
 * inbox): finding the listeners of a changed entry and handing them the shared bytes, and
 * replacing a session's listened set.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HubBenchmark {
    /** Sessions on the shard, each listening to 10 guilds out of {@code sessions / 10 + 100}. */
    @Param({"1000", "10000"})
    int sessions;

    private EventLoop loop;
    private HubShard shard;
    private Entry hot;
    private Entry cold;
    private ByteBuf frame;
    private SinkListener probe;
    private List<String> probeGuilds;
    private List<String> otherGuilds;

    /** A session that only counts what it is handed. */
    static final class SinkListener implements Listener {
        private final EventLoop loop;
        private final Blackhole sink;

        SinkListener(EventLoop loop, Blackhole sink) {
            this.loop = loop;
            this.sink = sink;
        }

        @Override
        public EventLoop loop() {
            return loop;
        }

        @Override
        public void deliver(Entry change, ByteBuf frame) {
            sink.consume(frame);
        }

        @Override
        public void flush() {
        }
    }

    @Setup
    public void setup(Blackhole sink) {
        // The shard is only called from the benchmark thread; the loop is its key, never run.
        loop = new DefaultEventLoop();
        shard = new HubShard(loop, new GatewayMetrics());
        int guildCount = sessions / 10 + 100;
        for (int s = 0; s < sessions; s++) {
            List<String> ids = new ArrayList<>();
            for (int g = 0; g < 10; g++) {
                ids.add(guild((s * 7 + g * 13) % guildCount));
            }
            shard.replace(new SinkListener(loop, sink), EntryKind.GUILD, List.of(), ids);
        }
        hot = new Entry(EntryKind.GUILD, guild(0), "{\"prefix\":\"!\"}", 1);
        cold = new Entry(EntryKind.GUILD, "1", "{\"prefix\":\"!\"}", 2);
        frame = TextFrame.of(ByteBufAllocator.DEFAULT, Wire.encodeEntryUpdate(hot.kind(), hot.id(), hot.json(), hot.seq()));
        probe = new SinkListener(loop, sink);
        probeGuilds = List.of(guild(1), guild(2), guild(3), guild(4), guild(5));
        otherGuilds = List.of(guild(6), guild(7), guild(8), guild(9), guild(10));
        shard.replace(probe, EntryKind.GUILD, List.of(), probeGuilds);
    }

    private static String guild(int i) {
        return Long.toString(100_000_000_000_000_000L + i);
    }

    @TearDown
    public void tearDown() throws Exception {
        frame.release();
        loop.shutdownGracefully().await(10, TimeUnit.SECONDS);
    }

    /** An update of a guild about {@code sessions / (sessions / 10 + 100) * 10} sessions listen to. */
    @Benchmark
    public int deliverToListeners() {
        return shard.deliver(hot, frame, false).length;
    }

    /** An update nobody on this loop listens to: the cost every other loop pays. */
    @Benchmark
    public int deliverToNobody() {
        return shard.deliver(cold, frame, false).length;
    }

    /** A session replacing its five listened guilds (and back, to keep the index steady). */
    @Benchmark
    public void replaceListenedSet() {
        shard.replace(probe, EntryKind.GUILD, probeGuilds, otherGuilds);
        shard.replace(probe, EntryKind.GUILD, otherGuilds, probeGuilds);
    }
}
