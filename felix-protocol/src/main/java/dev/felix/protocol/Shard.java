package dev.felix.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One shard as the heartbeat ACK shows it: an Eris shard object whose {@code latency} is
 * called {@code ping}. Fields a status source does not know are left out of the JSON.
 *
 * @param id                    shard number
 * @param status                one of the Eris words: {@code ready}, {@code connecting},
 *                              {@code handshaking}, {@code resuming}, {@code disconnected}
 * @param ping                  gateway latency in milliseconds
 * @param ready                 whether the shard has received its READY
 * @param lastHeartbeatSent     ms epoch of the last heartbeat the shard sent to Discord
 * @param lastHeartbeatReceived ms epoch of the last heartbeat ACK the shard received
 * @param guildCount            guilds on this shard
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Shard(
        int id,
        String status,
        long ping,
        Boolean ready,
        Long lastHeartbeatSent,
        Long lastHeartbeatReceived,
        Integer guildCount) {

    public static final String READY = "ready";
    public static final String CONNECTING = "connecting";
    public static final String HANDSHAKING = "handshaking";
    public static final String RESUMING = "resuming";
    public static final String DISCONNECTED = "disconnected";

    public Shard {
        if (status == null) {
            throw new IllegalArgumentException("shard status is required");
        }
    }

    /** A shard with only the fields every status source knows. */
    public static Shard of(int id, String status, long ping) {
        return new Shard(id, status, ping, null, null, null, null);
    }

    /** The same shard with another ping. */
    public Shard withPing(long newPing) {
        return new Shard(id, status, newPing, ready, lastHeartbeatSent, lastHeartbeatReceived, guildCount);
    }

    /** The same shard with another status, as shown when its reporter went silent. */
    public Shard withStatus(String newStatus) {
        return new Shard(id, newStatus, ping, ready, lastHeartbeatSent, lastHeartbeatReceived, guildCount);
    }
}
