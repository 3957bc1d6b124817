package dev.felix.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.NullNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Encoding and decoding of every message of Felix's WebSocket, for both ends.
 *
 * <p>Server messages are {@code {"code":…,"name":…,"data":…}}. The server encodes each one
 * once into UTF-8 bytes, so the same bytes can be written to every session that receives it.
 * All methods are thread-safe.
 */
public final class Wire {
    // Text after the first JSON value makes the whole text invalid, as it is for JSON.parse.
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final JsonFactory FACTORY = MAPPER.getFactory();
    /** Eris shard objects carry more fields than {@link Shard} knows; those are skipped, not refused. */
    private static final ObjectReader SHARD = MAPPER.readerFor(Shard.class)
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final ClientMessage.Heartbeat HEARTBEAT = new ClientMessage.Heartbeat();
    private static final String HEARTBEAT_TEXT = encodeHeartbeat();
    /** Room for a server message's envelope and fixed fields around its variable part. */
    private static final int ENVELOPE_BYTES = 192;

    private Wire() {
    }

    /** The mapper the protocol uses, for callers that need to read or write entry JSON the same way. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    // ---- server side -------------------------------------------------------------------

    /**
     * Decodes a text frame from a client. Anything the protocol says to ignore (not JSON, not an
     * object, no numeric code, an unknown or server-only code, malformed data) gives {@code null}.
     * Non-string IDs in a listeners update are dropped; duplicates are removed.
     */
    public static ClientMessage decodeClient(String text) {
        // The heartbeat as clients send it (JSON.stringify({code: 20001})), many times a second per
        // gateway: answered without building a tree. Any other spelling takes the full path below.
        if (text.equals(HEARTBEAT_TEXT)) {
            return HEARTBEAT;
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
        if (root == null || !root.isObject()) {
            return null;
        }
        JsonNode code = root.get("code");
        if (!isInteger(code) || !code.canConvertToInt()) {
            return null;
        }
        OpCode op = OpCode.of(code.intValue());
        if (op == OpCode.HEARTBEAT) {
            return HEARTBEAT;
        }
        if (op == OpCode.LISTENERS_UPDATE) {
            return decodeListenersUpdate(root.get("data"));
        }
        return null;
    }

    /** A number with an integer value, however spelled: 20001, 20001.0 and 2.0001e4 are one number in JSON. */
    private static boolean isInteger(JsonNode node) {
        return node != null && node.isNumber() && node.canConvertToExactIntegral();
    }

    private static ClientMessage decodeListenersUpdate(JsonNode data) {
        if (data == null || !data.isObject()) {
            return null;
        }
        JsonNode users = data.get("users");
        JsonNode guilds = data.get("guilds");
        if (users == null || !users.isArray() || guilds == null || !guilds.isArray()) {
            return null;
        }
        JsonNode since = data.get("since");
        Long sinceSeq = null;
        if (since != null && !since.isNull()) {
            if (!isInteger(since) || !since.canConvertToLong() || since.longValue() < 0) {
                return null;
            }
            sinceSeq = since.longValue();
        }
        return new ClientMessage.ListenersUpdate(strings(users), strings(guilds), sinceSeq);
    }

    private static List<String> strings(JsonNode array) {
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode item : array) {
            if (item.isTextual()) {
                ids.add(item.textValue());
            }
        }
        return new ArrayList<>(ids);
    }

    /** A heartbeat ACK (10001), from the shard list the status encoded once and the live numbers. */
    public static byte[] encodeHeartbeatAck(long receivedAt, EncodedShards shards, long guildsCount,
                                            double memoryUsage, long uptime) {
        return encode(OpCode.HEARTBEAT_ACK, statusFields(receivedAt, shards, guildsCount, memoryUsage, uptime), null,
                shards.json().asUnquotedUTF8().length + ENVELOPE_BYTES);
    }

    /** The data object of a heartbeat ACK on its own, for readers of the status outside the socket. */
    public static byte[] encodeStatus(long receivedAt, EncodedShards shards, long guildsCount, double memoryUsage,
                                      long uptime) {
        Body fields = statusFields(receivedAt, shards, guildsCount, memoryUsage, uptime);
        return write(shards.json().asUnquotedUTF8().length + ENVELOPE_BYTES, g -> {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        });
    }

    private static Body statusFields(long receivedAt, EncodedShards shards, long guildsCount, double memoryUsage,
                                     long uptime) {
        return g -> {
            g.writeNumberField("receivedAt", receivedAt);
            g.writeFieldName("shards");
            g.writeRawValue(shards.json());
            g.writeNumberField("guildsCount", guildsCount);
            g.writeNumberField("memoryUsage", memoryUsage);
            g.writeNumberField("uptime", uptime);
        };
    }

    /**
     * A GDB or UDB update (10002/10003).
     *
     * @param dataJson the entry as stored (a JSON object), or {@code null} once it was deleted
     * @param seq      the change sequence of the write, sent as a top-level {@code seq}
     */
    public static byte[] encodeEntryUpdate(EntryKind kind, String id, String dataJson, long seq) {
        return encode(kind.updateCode(), g -> {
            g.writeStringField(kind.idField(), id);
            g.writeFieldName(kind.dataField());
            if (dataJson == null) {
                g.writeNull();
            } else {
                g.writeRawValue(dataJson);
            }
        }, seq, (dataJson == null ? 0 : dataJson.length()) + id.length() + ENVELOPE_BYTES);
    }

    // ---- client side -------------------------------------------------------------------

    /** A heartbeat (20001) as a client sends it. */
    public static String encodeHeartbeat() {
        return "{\"code\":" + OpCode.HEARTBEAT.code() + "}";
    }

    /** A listeners update (20002); {@code since} is written only when not null. */
    public static String encodeListenersUpdate(ClientMessage.ListenersUpdate update) {
        byte[] bytes = write(g -> {
            g.writeStartObject();
            g.writeNumberField("code", OpCode.LISTENERS_UPDATE.code());
            g.writeObjectFieldStart("data");
            writeStrings(g, "users", update.users());
            writeStrings(g, "guilds", update.guilds());
            if (update.since() != null) {
                g.writeNumberField("since", update.since());
            }
            g.writeEndObject();
            g.writeEndObject();
        });
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Decodes a message from the server, or returns {@code null} for one this protocol does not know. */
    public static ServerMessage decodeServer(String text) {
        try {
            JsonNode root = MAPPER.readTree(text);
            if (root == null || !root.isObject()) {
                return null;
            }
            OpCode op = OpCode.of(root.path("code").asInt());
            JsonNode data = root.path("data");
            if (op == OpCode.HEARTBEAT_ACK) {
                List<Shard> shards = new ArrayList<>();
                for (JsonNode shard : data.path("shards")) {
                    shards.add(readShard(shard));
                }
                BotStatus status = new BotStatus(shards, data.path("guildsCount").asLong(),
                        data.path("memoryUsage").asDouble(), data.path("uptime").asLong());
                return new ServerMessage.HeartbeatAck(data.path("receivedAt").asLong(), status);
            }
            for (EntryKind kind : EntryKind.values()) {
                if (op == kind.updateCode()) {
                    JsonNode entry = data.has(kind.dataField()) ? data.get(kind.dataField()) : NullNode.getInstance();
                    return new ServerMessage.EntryUpdate(kind, data.path(kind.idField()).asText(), entry,
                            root.path("seq").asLong());
                }
            }
            return null;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** Reads one shard object, skipping the fields {@link Shard} does not have. */
    public static Shard readShard(JsonNode shard) throws IOException {
        return SHARD.readValue(shard);
    }

    // ---- plumbing ----------------------------------------------------------------------

    static byte[] writeBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    private static void writeStrings(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String value : values) {
            g.writeString(value);
        }
        g.writeEndArray();
    }

    /**
     * @param sizeHint the expected size of the message, so the output buffer is allocated once
     *                 rather than grown and copied
     */
    private static byte[] encode(OpCode op, Body data, Long seq, int sizeHint) {
        return write(sizeHint, g -> {
            g.writeStartObject();
            g.writeNumberField("code", op.code());
            g.writeStringField("name", op.wireName());
            g.writeObjectFieldStart("data");
            data.write(g);
            g.writeEndObject();
            if (seq != null) {
                g.writeNumberField("seq", seq);
            }
            g.writeEndObject();
        });
    }

    private static byte[] write(Body body) {
        return write(256, body);
    }

    private static byte[] write(int sizeHint, Body body) {
        ByteArrayBuilder out = new ByteArrayBuilder(sizeHint);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @FunctionalInterface
    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }
}
