package dev.felix.api;

/** The entry a call needs does not exist. */
public class EntryNotFoundException extends RuntimeException {
    public EntryNotFoundException(String message) {
        super(message);
    }
}
