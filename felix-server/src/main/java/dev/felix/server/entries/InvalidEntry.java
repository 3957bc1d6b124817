package dev.felix.server.entries;

/** An ID or a body that breaks the entry rules; REST answers 400 with its message. */
public final class InvalidEntry extends IllegalArgumentException {
    public InvalidEntry(String message) {
        super(message);
    }
}
