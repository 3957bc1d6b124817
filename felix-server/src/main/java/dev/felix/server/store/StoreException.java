package dev.felix.server.store;

/**
 * A store call that failed; the subclasses name why, so REST can map each to its status. Unless it
 * is an {@link OutcomeUnknown}, a failed write wrote nothing and never will.
 */
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

    /** The database or the disk under it is full; writes work again once there is space. */
    public static final class Full extends StoreException {
        public Full(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The database could not be reached, or did not take the write within the write deadline; the
     * write was not sent, so it was not and will not be committed. Worth retrying later.
     */
    public static final class Unavailable extends StoreException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The connection was lost while the database committed: the write may or may not be committed.
     * Only a read tells.
     */
    public static final class OutcomeUnknown extends StoreException {
        public OutcomeUnknown(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
