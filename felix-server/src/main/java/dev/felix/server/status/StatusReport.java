package dev.felix.server.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.felix.protocol.Shard;
import dev.felix.protocol.Wire;

import java.io.IOException;
import java.util.ArrayList;
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
    /** Eris shard objects carry more fields than the ACK shows; those are dropped, not refused. */
    private static final ObjectReader SHARD = Wire.mapper().readerFor(Shard.class)
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

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

    /** Reads {@link #toJson()} or a report as a bot sends it; see {@link #parse(JsonNode)}. */
    public static StatusReport fromJson(String json) {
        try {
            return parse(Wire.mapper().readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("report is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * Checks and reads {@code {shards: [...], guildsCount, memoryUsage?, uptime?}}. Each shard
     * needs an integer {@code id} and a {@code status}; {@code ping} defaults to 0.
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
        for (JsonNode s : shardsNode) {
            shards.add(shard(s, shards.size()));
        }
        JsonNode guilds = node.get("guildsCount");
        if (guilds == null || !guilds.isIntegralNumber() || !guilds.canConvertToLong() || guilds.longValue() < 0) {
            throw new IllegalArgumentException("guildsCount must be a non-negative integer");
        }
        Double memory = null;
        JsonNode memoryNode = node.get("memoryUsage");
        if (memoryNode != null && !memoryNode.isNull()) {
            if (!memoryNode.isNumber() || memoryNode.doubleValue() < 0) {
                throw new IllegalArgumentException("memoryUsage must be a non-negative number (MiB)");
            }
            memory = memoryNode.doubleValue();
        }
        Long uptime = null;
        JsonNode uptimeNode = node.get("uptime");
        if (uptimeNode != null && !uptimeNode.isNull()) {
            if (!uptimeNode.isIntegralNumber() || !uptimeNode.canConvertToLong() || uptimeNode.longValue() < 0) {
                throw new IllegalArgumentException("uptime must be a non-negative integer (ms)");
            }
            uptime = uptimeNode.longValue();
        }
        return new StatusReport(shards, guilds.longValue(), memory, uptime);
    }

    private static Shard shard(JsonNode s, int index) {
        String where = "shards[" + index + "]";
        if (!s.isObject()) {
            throw new IllegalArgumentException(where + " must be an object");
        }
        JsonNode id = s.get("id");
        if (id == null || !id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
            throw new IllegalArgumentException(where + ".id must be a non-negative integer");
        }
        JsonNode status = s.get("status");
        if (status == null || !status.isTextual() || status.textValue().isEmpty()) {
            throw new IllegalArgumentException(where + ".status must be a non-empty string");
        }
        try {
            return SHARD.readValue(s);
        } catch (IOException e) {
            throw new IllegalArgumentException(where + " is malformed: " + rootMessage(e));
        }
    }

    private static String rootMessage(IOException e) {
        return e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    }
}
