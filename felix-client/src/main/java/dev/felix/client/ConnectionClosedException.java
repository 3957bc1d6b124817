package dev.felix.client;

/** The server closed the connection; the client reconnects unless it is closed. */
public final class ConnectionClosedException extends RuntimeException {
    private final int code;
    private final String reason;

    public ConnectionClosedException(int code, String reason) {
        super("server closed the connection: " + code + (reason == null || reason.isEmpty() ? "" : " " + reason));
        this.code = code;
        this.reason = reason;
    }

    /** The WebSocket close code, e.g. 1001 when the gateway shuts down or 1008 when the token was revoked. */
    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }
}
