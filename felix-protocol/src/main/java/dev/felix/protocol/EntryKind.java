package dev.felix.protocol;

/**
 * The two kinds of database entry a client can listen to, with the names each one carries
 * on the wire.
 */
public enum EntryKind {
    GUILD(OpCode.GDB_UPDATE, "guildID", "guildData"),
    USER(OpCode.UDB_UPDATE, "userID", "userData");

    private final OpCode updateCode;
    private final String idField;
    private final String dataField;

    EntryKind(OpCode updateCode, String idField, String dataField) {
        this.updateCode = updateCode;
        this.idField = idField;
        this.dataField = dataField;
    }

    /** The server message that announces a change of an entry of this kind. */
    public OpCode updateCode() {
        return updateCode;
    }

    public String idField() {
        return idField;
    }

    public String dataField() {
        return dataField;
    }
}
