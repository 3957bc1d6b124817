package dev.felix.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.felix.protocol.Wire;

import java.io.IOException;
import java.util.Map;
import java.util.regex.Pattern;

/** The rules every entry write follows, whoever makes it (REST, the embedding API). */
public final class EntryJson {
    private static final Pattern SNOWFLAKE = Pattern.compile("[0-9]{1,20}");
    /**
     * Deepest nesting of objects and arrays in an entry (the entry is level 1). Far beyond real
     * data, and it keeps every update that carries an entry within the nesting limits of common
     * JSON parsers (1,000 in Jackson, the Java client's).
     */
    public static final int MAX_DEPTH = 100;

    private EntryJson() {
    }

    /** Discord snowflakes: 1 to 20 digits. */
    public static boolean isSnowflake(String id) {
        return id != null && SNOWFLAKE.matcher(id).matches();
    }

    /**
     * Parses a request body that must be a JSON object. Bytes, not text, so that a body that is not
     * UTF-8 is refused rather than read with replacement characters.
     *
     * @throws IllegalArgumentException with a message fit for the client otherwise
     */
    public static ObjectNode parseObject(byte[] body) {
        return parseObject(body == null || body.length == 0, () -> Wire.mapper().readTree(body));
    }

    /**
     * As {@link #parseObject(byte[])}, for JSON text (the embedding API's). Not turned into bytes
     * first: that would replace an unpaired surrogate with '?' instead of refusing it.
     */
    public static ObjectNode parseObject(String body) {
        return parseObject(body == null || body.isBlank(), () -> Wire.mapper().readTree(body));
    }

    /** Reads JSON from wherever it comes. */
    @FunctionalInterface
    private interface JsonSource {
        JsonNode read() throws IOException;
    }

    private static ObjectNode parseObject(boolean empty, JsonSource source) {
        if (empty) {
            throw new IllegalArgumentException("body must be a JSON object");
        }
        JsonNode node;
        try {
            node = source.read();
        } catch (IOException e) {
            throw new IllegalArgumentException("body is not valid JSON: "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("body must be a JSON object");
        }
        checkValue(node, 1);
        return (ObjectNode) node;
    }

    /**
     * What JSON allows but an entry may not hold, since it could not be stored or sent as it came:
     * numbers beyond a double's range (they would become "Infinity"), strings with an unpaired
     * UTF-16 surrogate (they have no UTF-8 form) or a NUL (PostgreSQL's jsonb refuses it; refused on
     * SQLite too, so both stores take the same entries) and nesting deeper than {@link #MAX_DEPTH}.
     */
    private static void checkValue(JsonNode node, int depth) {
        if (node.isContainerNode() && depth > MAX_DEPTH) {
            throw new IllegalArgumentException("entry nests objects and arrays deeper than " + MAX_DEPTH + " levels");
        }
        if (node.isTextual()) {
            checkText(node.textValue());
        } else if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            throw new IllegalArgumentException("number out of range (beyond a 64-bit double)");
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                checkText(field.getKey());
                checkValue(field.getValue(), depth + 1);
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                checkValue(element, depth + 1);
            }
        }
    }

    private static void checkText(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                throw new IllegalArgumentException("string with a NUL character (\\u0000), which PostgreSQL cannot store");
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("string with an unpaired UTF-16 surrogate (\\u"
                        + Integer.toHexString(c) + "), which has no UTF-8 form");
            }
        }
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
            throw wrongId(id);
        }
        return encode(object);
    }

    /**
     * Checks a merge patch before it is applied: it may not change {@code id}, nor set it to null,
     * which PUT refuses too (a patch that names the field names the entry's own ID).
     *
     * @throws IllegalArgumentException with a message fit for the client when it would
     */
    public static void checkPatch(String id, ObjectNode patch) {
        JsonNode given = patch.get("id");
        if (given != null && !(given.isTextual() && given.textValue().equals(id))) {
            throw wrongId(id);
        }
    }

    private static IllegalArgumentException wrongId(String id) {
        return new IllegalArgumentException("field id must be the entry's ID as a string, \"" + id + "\"");
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
