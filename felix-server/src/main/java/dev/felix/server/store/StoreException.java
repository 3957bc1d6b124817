package dev.felix.server.store;

/** A write the store refused; the subclasses name why, so REST can map each to its status. */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The entry a write needs does not exist. */
    public static final class NotFound extends StoreException {
        public NotFound(String message) {
            super(message);
        }
    }

    /** The entry moved on since the version the writer named. */
    public static final class PreconditionFailed extends StoreException {
        public PreconditionFailed(String message) {
            super(message);
        }
    }
}
