package dev.felix.protocol;

/**
 * Every code of Felix's WebSocket, with the name the original server sent beside it.
 * This enum is the only place in the project that spells a code number.
 */
public enum OpCode {
    /** Client → server: asks for a {@link #HEARTBEAT_ACK}. */
    HEARTBEAT(20001, "Heartbeat"),
    /** Client → server: replaces the guilds and users the session listens to. */
    LISTENERS_UPDATE(20002, "Listeners update"),
    /** Server → client: the bot status, in answer to a heartbeat. */
    HEARTBEAT_ACK(10001, "Heartbeat ACK"),
    /** Server → client: a guild entry the session listens to changed. */
    GDB_UPDATE(10002, "GDB Update"),
    /** Server → client: a user entry the session listens to changed. */
    UDB_UPDATE(10003, "UDB Update");

    private final int code;
    private final String wireName;

    OpCode(int code, String wireName) {
        this.code = code;
        this.wireName = wireName;
    }

    public int code() {
        return code;
    }

    /** The {@code name} field of a server message. */
    public String wireName() {
        return wireName;
    }

    /** The code for a number, or {@code null} when the protocol has none. */
    public static OpCode of(int code) {
        for (OpCode op : values()) {
            if (op.code == code) {
                return op;
            }
        }
        return null;
    }
}
