package dev.felix.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

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
    private static final Set<String> STATUSES =
            Set.of(Shard.READY, Shard.CONNECTING, Shard.HANDSHAKING, Shard.RESUMING, Shard.DISCONNECTED);
    /** The largest integer a JavaScript dashboard reads exactly (Number.MAX_SAFE_INTEGER). */
    private static final long MAX_COUNT = (1L << 53) - 1;
    /** A hundred years: more would overflow the clock arithmetic that keeps an uptime running. */
    private static final long MAX_UPTIME_MS = TimeUnit.DAYS.toMillis(36_500);

    public StatusReport {
        shards = List.copyOf(shards);
    }

    /** The canonical JSON form, as gateways pass a report to each other. */
    public String toJson() {
        try {
            return Wire.mapper().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode status report", e);
        }
    }

    /** Reads {@link #toJson()}, as gateways pass reports to each other; see {@link #parse(JsonNode)}. */
    public static StatusReport fromJson(String json) {
        return fromJson(json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a report as a bot sends it: bytes, so that a body not in UTF-8 is refused; see
     * {@link #parse(JsonNode)}.
     */
    public static StatusReport fromJson(byte[] json) {
        if (json.length == 0) {
            throw new IllegalArgumentException("body must be a status report object");
        }
        try {
            return parse(Wire.mapper().readTree(json));
        } catch (IOException e) {
            throw new IllegalArgumentException("report is not valid JSON: " + rootMessage(e));
        }
    }

    /**
     * Checks and reads {@code {shards: [...], guildsCount, memoryUsage?, uptime?}}. Each shard
     * needs an integer {@code id} (once per report) and one of the Eris statuses; {@code ping}
     * (or Eris's {@code latency}) defaults to 0.
     *
     * @throws IllegalArgumentException with a message fit for the reporter when the report is malformed
     */
    public static StatusReport parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("report must be a JSON object");
        }
        JsonNode shardsNode = node.get("shards");
        if (shardsNode == null || !shardsNode.isArray()) {
            throw new IllegalArgumentException("shards must be an array");
        }
        List<Shard> shards = new ArrayList<>(shardsNode.size());
        Set<Integer> ids = new HashSet<>();
        for (JsonNode s : shardsNode) {
            Shard shard = shard(s, shards.size());
            if (!ids.add(shard.id())) {
                throw new IllegalArgumentException("shards[" + shards.size() + "].id " + shard.id() + " appears twice");
            }
            shards.add(shard);
        }
        JsonNode guilds = node.get("guildsCount");
        if (!isInteger(guilds, MAX_COUNT)) {
            throw new IllegalArgumentException("guildsCount must be an integer from 0 to 2^53-1");
        }
        Double memory = null;
        JsonNode memoryNode = node.get("memoryUsage");
        if (memoryNode != null && !memoryNode.isNull()) {
            if (!isNumber(memoryNode)) {
                throw new IllegalArgumentException("memoryUsage must be a non-negative number (MiB)");
            }
            memory = memoryNode.doubleValue();
        }
        Long uptime = null;
        JsonNode uptimeNode = node.get("uptime");
        if (uptimeNode != null && !uptimeNode.isNull()) {
            if (!isInteger(uptimeNode, MAX_UPTIME_MS)) {
                throw new IllegalArgumentException("uptime must be an integer number of ms from 0 to 100 years");
            }
            uptime = uptimeNode.longValue();
        }
        return new StatusReport(shards, guilds.longValue(), memory, uptime);
    }

    /** A finite, non-negative number. */
    private static boolean isNumber(JsonNode node) {
        return node.isNumber() && Double.isFinite(node.doubleValue()) && node.doubleValue() >= 0;
    }

    private static boolean isInteger(JsonNode node, long max) {
        return node != null && node.isIntegralNumber() && node.canConvertToLong()
                && node.longValue() >= 0 && node.longValue() <= max;
    }

    private static Shard shard(JsonNode s, int index) {
        String where = "shards[" + index + "]";
        if (!s.isObject()) {
            throw new IllegalArgumentException(where + " must be an object");
        }
        if (!isInteger(s.get("id"), Integer.MAX_VALUE)) {
            throw new IllegalArgumentException(where + ".id must be a non-negative integer");
        }
        JsonNode status = s.get("status");
        if (status == null || !status.isTextual() || !STATUSES.contains(status.textValue())) {
            throw new IllegalArgumentException(where + ".status must be one of ready, connecting, handshaking, "
                    + "resuming, disconnected");
        }
        JsonNode guildCount = s.get("guildCount");
        if (guildCount != null && !guildCount.isNull() && !isInteger(guildCount, Integer.MAX_VALUE)) {
            throw new IllegalArgumentException(where + ".guildCount must be a non-negative integer");
        }
        // An Eris shard calls it latency (Infinity, sent as null, until its first heartbeat is answered).
        JsonNode ping = s.hasNonNull("ping") ? s.get("ping") : s.get("latency");
        if (ping != null && !ping.isNull() && (!isNumber(ping) || ping.doubleValue() > MAX_COUNT)) {
            throw new IllegalArgumentException(where + ".ping must be a non-negative number of ms");
        }
        try {
            return Wire.readShard(s).withPing(ping == null || ping.isNull() ? 0 : Math.round(ping.doubleValue()));
        } catch (IOException e) {
            throw new IllegalArgumentException(where + " is malformed: " + rootMessage(e));
        }
    }

    private static String rootMessage(IOException e) {
        return e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    }
}
