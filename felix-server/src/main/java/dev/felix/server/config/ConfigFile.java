package dev.felix.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@code felix.yml} configuration file: a flat YAML mapping whose keys are the long option names
 * without their dashes ({@code ws-port: 8090}), each with one scalar value.
 */
public final class ConfigFile {
    private static final YAMLMapper YAML = new YAMLMapper();

    private ConfigFile() {
    }

    /**
     * Reads a file into option values by key.
     *
     * @param known the keys that exist; any other key is an error, so that a typo does not go unnoticed
     * @throws IllegalArgumentException with a message fit for the user when the file is missing or wrong
     */
    public static Map<String, String> load(Path file, Collection<String> known) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("configuration file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read configuration file " + file + ": " + e.getMessage());
        }
        // Read key by key rather than as one tree, which would keep the last of two equal keys unnoticed.
        Map<String, String> values = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        try (JsonParser parser = YAML.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null || first == JsonToken.VALUE_NULL) {
                return values;
            }
            if (first != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("configuration file " + file + " must be a mapping of keys to values");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                parser.nextToken();
                JsonNode value = parser.readValueAsTree();
                if (!known.contains(key)) {
                    throw new IllegalArgumentException("unknown key '" + key + "' in " + file + "; known keys: "
                            + String.join(", ", new TreeSet<>(known)));
                }
                if (!seen.add(key)) {
                    throw new IllegalArgumentException("key '" + key + "' is given twice in " + file);
                }
                if (value.isNull()) {
                    continue;
                }
                if (!value.isValueNode()) {
                    throw new IllegalArgumentException("key '" + key + "' in " + file + " must have a single value");
                }
                values.put(key, value.asText());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read configuration file " + file + ": " + e.getMessage());
        }
        return values;
    }
}
