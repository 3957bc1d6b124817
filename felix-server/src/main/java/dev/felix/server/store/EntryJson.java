package dev.felix.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.felix.protocol.Wire;

import java.util.regex.Pattern;

/** The rules every entry write follows, whoever makes it (REST, the embedding API). */
public final class EntryJson {
    private static final Pattern SNOWFLAKE = Pattern.compile("[0-9]{1,20}");

    private EntryJson() {
    }

    /** Discord snowflakes: 1 to 20 digits. */
    public static boolean isSnowflake(String id) {
        return id != null && SNOWFLAKE.matcher(id).matches();
    }

    /**
     * Checks that {@code body} is a JSON object whose {@code id}, if present, is the entry's ID,
     * sets the ID when absent, and returns the object as compact JSON.
     *
     * @throws IllegalArgumentException with a message fit for the client when a rule is broken
     */
    public static String normalize(String id, String body) {
        JsonNode node;
        try {
            node = Wire.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("body is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("body must be a JSON object");
        }
        return normalize(id, (ObjectNode) node);
    }

    /** As {@link #normalize(String, String)}, for an object already parsed. */
    public static String normalize(String id, ObjectNode object) {
        JsonNode given = object.get("id");
        if (given == null) {
            object.put("id", id);
        } else if (!given.isTextual() || !given.textValue().equals(id)) {
            throw new IllegalArgumentException("field id must equal the entry ID " + id);
        }
        try {
            return Wire.mapper().writeValueAsString(object);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode entry: " + e.getOriginalMessage());
        }
    }
}
