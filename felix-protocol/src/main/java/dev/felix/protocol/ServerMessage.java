package dev.felix.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/** A message the server sends, as a client decodes it. */
public sealed interface ServerMessage {

    OpCode code();

    /**
     * Code 10001.
     *
     * @param receivedAt ms epoch when the server read the heartbeat
     * @param status     the bot status at that time
     */
    record HeartbeatAck(long receivedAt, BotStatus status) implements ServerMessage {
        @Override
        public OpCode code() {
            return OpCode.HEARTBEAT_ACK;
        }
    }

    /**
     * Code 10002 or 10003: an entry changed.
     *
     * @param kind guild or user
     * @param id   the entry's snowflake
     * @param data the entry after the change; a JSON {@code null} once it was deleted
     * @param seq  the global change sequence of the write; 0 from servers that do not send it
     */
    record EntryUpdate(EntryKind kind, String id, JsonNode data, long seq) implements ServerMessage {
        @Override
        public OpCode code() {
            return kind.updateCode();
        }
    }
}
