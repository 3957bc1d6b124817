package dev.felix.server;

/**
 * The gateway could not start serving: a port could not be bound, or its TLS files not read. The
 * message names the port and the option that sets it, for the operator.
 */
public final class StartException extends IllegalStateException {
    StartException(String message, Throwable cause) {
        super(message, cause);
    }
}
