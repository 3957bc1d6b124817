package dev.felix.server.status;

import dev.felix.protocol.Shard;

import java.util.List;

/**
 * What one status source (a JDA shard manager, a bot process reporting over REST) says of its
 * part of the bot.
 *
 * @param shards      its shards
 * @param guildsCount guilds on those shards
 * @param memoryUsage heap in use in MiB, or null when the source does not say
 * @param uptime      ms since the source started, or null when it does not say
 */
public record StatusReport(List<Shard> shards, long guildsCount, Double memoryUsage, Long uptime) {
    public StatusReport {
        shards = List.copyOf(shards);
    }
}
