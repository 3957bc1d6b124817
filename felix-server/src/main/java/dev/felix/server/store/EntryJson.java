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
     * Parses a request body that must be a JSON object.
     *
     * @throws IllegalArgumentException with a message fit for the client otherwise
     */
    public static ObjectNode parseObject(String body) {
        if (body == null || body.isBlank()) {
            throw new IllegalArgumentException("body must be a JSON object");
        }
        JsonNode node;
        try {
            node = Wire.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("body is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("body must be a JSON object");
        }
        return (ObjectNode) node;
    }

    /**
     * Checks that {@code body} is a JSON object whose {@code id}, if present, is the entry's ID,
     * sets the ID when absent, and returns the object as compact JSON.
     *
     * @throws IllegalArgumentException with a message fit for the client when a rule is broken
     */
    public static String normalize(String id, String body) {
        return normalize(id, parseObject(body));
    }

    /** As {@link #normalize(String, String)}, for an object already parsed. */
    public static String normalize(String id, ObjectNode object) {
        JsonNode given = object.get("id");
        if (given == null) {
            object.put("id", id);
        } else if (!given.isTextual() || !given.textValue().equals(id)) {
            throw new IllegalArgumentException("field id must equal the entry ID " + id);
        }
        return encode(object);
    }

    /**
     * Checks a merge patch before it is applied: it may remove {@code id} (the ID is set again)
     * but not change it.
     *
     * @throws IllegalArgumentException with a message fit for the client when it would
     */
    public static void checkPatch(String id, ObjectNode patch) {
        JsonNode given = patch.get("id");
        if (given != null && !given.isNull() && !(given.isTextual() && given.textValue().equals(id))) {
            throw new IllegalArgumentException("field id must equal the entry ID " + id);
        }
    }

    /**
     * Applies an RFC 7396 merge patch (already {@linkplain #checkPatch checked}) to a stored entry
     * and returns the new entry as compact JSON, its {@code id} set to the entry's ID.
     */
    public static String merge(String id, String currentJson, ObjectNode patch) {
        JsonNode current;
        try {
            current = Wire.mapper().readTree(currentJson);
        } catch (JsonProcessingException e) {
            throw new StoreException("stored entry " + id + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        ObjectNode merged = (ObjectNode) MergePatch.apply(current, patch);
        merged.put("id", id);
        return encode(merged);
    }

    private static String encode(ObjectNode object) {
        try {
            return Wire.mapper().writeValueAsString(object);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode entry: " + e.getOriginalMessage());
        }
    }
}
