package dev.felix.client;

/** Where a {@link FelixClient} stands with the server. */
public enum ConnectionState {
    /** Opening a connection (the first one, or again after a drop). */
    CONNECTING,
    /** Connected: heartbeats go out and updates come in. */
    CONNECTED,
    /** The connection dropped or could not be made; a new attempt is scheduled. */
    DISCONNECTED,
    /** The server refused the token; the client stopped for good ({@link FelixClient#failure()} says why). */
    FAILED,
    /** {@link FelixClient#close()} was called. */
    CLOSED;

    /** True for the states the client never leaves. */
    public boolean isTerminal() {
        return this == FAILED || this == CLOSED;
    }
}
