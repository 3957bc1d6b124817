package dev.felix.dist;

import net.dv8tion.jda.api.sharding.ShardManager;

import java.lang.reflect.Array;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A JDA ShardManager that has started no shard yet, for the README's examples that take the bot's
 * own: a real one logs in to Discord, which a test cannot. Every call answers as an empty manager
 * would: no shards, no guilds, listeners accepted.
 */
public final class NoShards {
    private NoShards() {
    }

    public static ShardManager shardManager() {
        return empty(ShardManager.class);
    }

    private static <T> T empty(Class<T> type) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, (proxy, method, args) -> {
            Class<?> returns = method.getReturnType();
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                case "toString" -> "ShardManager with no shards";
                default -> emptyValue(returns);
            };
        }));
    }

    private static Object emptyValue(Class<?> type) {
        if (type == void.class) {
            return null;
        }
        if (type.isPrimitive()) {
            return Array.get(Array.newInstance(type, 1), 0);
        }
        if (type.isAssignableFrom(List.class)) {
            return List.of();
        }
        if (type.isAssignableFrom(Set.class)) {
            return Set.of();
        }
        if (type.isAssignableFrom(Map.class)) {
            return Map.of();
        }
        if (type == java.util.Iterator.class) {
            return Collections.emptyIterator();
        }
        if (type == Stream.class) {
            return Stream.empty();
        }
        return type.isInterface() ? empty(type) : null;
    }
}
