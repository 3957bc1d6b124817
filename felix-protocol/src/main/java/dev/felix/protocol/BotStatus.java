package dev.felix.protocol;

import java.util.List;

/**
 * The data object of a heartbeat ACK (code 10001) without its {@code receivedAt}: what the
 * bot looks like right now.
 *
 * @param shards      shards ordered by id
 * @param guildsCount guilds the bot is in
 * @param memoryUsage heap in use, in MiB
 * @param uptime      milliseconds since the bot (or the gateway) started
 */
public record BotStatus(List<Shard> shards, long guildsCount, double memoryUsage, long uptime) {
    public BotStatus {
        shards = List.copyOf(shards);
    }
}
