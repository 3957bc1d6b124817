package dev.felix.server.cli;

/**
 * A value from the configuration file or the environment that its option cannot take: one line
 * naming the key or variable, exit code 2, without the usage of flags the user never gave.
 */
final class ConfigValueException extends RuntimeException {
    ConfigValueException(String message) {
        super(message);
    }
}
