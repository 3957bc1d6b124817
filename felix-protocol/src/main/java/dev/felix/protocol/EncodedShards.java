package dev.felix.protocol;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A shard list already encoded as a JSON array. The server keeps one of these per status
 * change, so a heartbeat ACK costs a copy of these bytes rather than a walk over every shard.
 */
public final class EncodedShards {
    public static final EncodedShards NONE = encode(List.of());

    /** Jackson caches the UTF-8 bytes of a serialized string, so writing it is a plain copy. */
    private final SerializableString json;

    private EncodedShards(SerializableString json) {
        this.json = json;
    }

    public static EncodedShards encode(List<Shard> shards) {
        return new EncodedShards(new SerializedString(new String(Wire.writeBytes(shards), StandardCharsets.UTF_8)));
    }

    SerializableString json() {
        return json;
    }
}
