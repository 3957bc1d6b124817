package dev.felix.client;

/** The server refused the WebSocket handshake with an HTTP status instead of upgrading. */
public final class FelixHandshakeException extends RuntimeException {
    private final int statusCode;

    public FelixHandshakeException(int statusCode, String message) {
        super(message);
        this.statusCode = statusCode;
    }

    /** The HTTP status of the refusal; 403 means the token is missing, unknown, revoked or public. */
    public int statusCode() {
        return statusCode;
    }
}
