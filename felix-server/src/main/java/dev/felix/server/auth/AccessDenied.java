package dev.felix.server.auth;

/** A valid token asked for something outside its scope, or to write with a read-only token: REST answers 403. */
public final class AccessDenied extends RuntimeException {
    public AccessDenied(String message) {
        super(message, null, false, false);
    }
}
