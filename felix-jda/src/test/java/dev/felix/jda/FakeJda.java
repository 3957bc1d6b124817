package dev.felix.jda;

import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.sharding.ShardManager;
import net.dv8tion.jda.api.utils.cache.ShardCacheView;
import net.dv8tion.jda.api.utils.cache.SnowflakeCacheView;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * JDA and ShardManager stand-ins: a real JDA cannot run here (it must log in to Discord), so these
 * answer, through {@link Proxy}, only the calls the adapter makes (and the one event constructors
 * make). Any other call fails the test.
 */
final class FakeJda {
    volatile JDA.Status status = JDA.Status.CONNECTED;
    volatile long ping = 42;
    volatile long guilds;
    final int shardId;
    final int shardTotal;
    final List<Object> listeners = new CopyOnWriteArrayList<>();
    final JDA jda;

    FakeJda(int shardId, int shardTotal) {
        this.shardId = shardId;
        this.shardTotal = shardTotal;
        this.jda = proxy(JDA.class, (p, m, args) -> switch (m.getName()) {
            case "getStatus" -> status;
            case "getGatewayPing" -> ping;
            case "getShardInfo" -> new JDA.ShardInfo(shardId, shardTotal);
            case "getGuildCache" -> sized(SnowflakeCacheView.class, guilds);
            case "getResponseTotal" -> 0L;
            case "addEventListener" -> {
                listeners.addAll(Arrays.asList((Object[]) args[0]));
                yield null;
            }
            case "removeEventListener" -> {
                listeners.removeAll(Arrays.asList((Object[]) args[0]));
                yield null;
            }
            default -> objectMethod(p, m.getName(), args, "JDA shard " + shardId);
        });
    }

    /** A shard manager over these shards; its listeners are kept in {@code listeners}. */
    static ShardManager manager(List<FakeJda> shards, List<Object> listeners) {
        return proxy(ShardManager.class, (p, m, args) -> switch (m.getName()) {
            case "getShardCache" -> proxy(ShardCacheView.class, (p2, m2, a2) -> switch (m2.getName()) {
                case "asList" -> shards.stream().map(s -> s.jda).toList();
                default -> objectMethod(p2, m2.getName(), a2, "shard cache");
            });
            case "getGuildCache" -> sized(SnowflakeCacheView.class, shards.stream().mapToLong(s -> s.guilds).sum());
            case "addEventListener" -> {
                listeners.addAll(Arrays.asList((Object[]) args[0]));
                yield null;
            }
            case "removeEventListener" -> {
                listeners.removeAll(Arrays.asList((Object[]) args[0]));
                yield null;
            }
            default -> objectMethod(p, m.getName(), args, "shard manager");
        });
    }

    private static <T> T sized(Class<T> type, long size) {
        return proxy(type, (p, m, args) -> m.getName().equals("size") ? size
                : objectMethod(p, m.getName(), args, "cache of " + size));
    }

    private static Object objectMethod(Object proxy, String name, Object[] args, String label) {
        return switch (name) {
            case "toString" -> label;
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> throw new UnsupportedOperationException(label + " does not answer " + name);
        };
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, InvocationHandler handler) {
        return (T) Proxy.newProxyInstance(FakeJda.class.getClassLoader(), new Class<?>[]{type}, handler);
    }

    static List<FakeJda> shards(int count) {
        List<FakeJda> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new FakeJda(i, count));
        }
        return out;
    }
}
