package dev.felix.server.rest;

/** A REST failure with its HTTP status; the router turns it into {@code {status, error, message}}. */
final class ApiError extends RuntimeException {
    private final int status;
    private final Long retryAfterSeconds;

    ApiError(int status, String message) {
        this(status, message, null);
    }

    private ApiError(int status, String message, Long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    int status() {
        return status;
    }

    /** Seconds the client should wait before it asks again, or null. */
    Long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, message);
    }

    static ApiError notFound(String message) {
        return new ApiError(404, message);
    }

    static ApiError tooManyRequests(String message, long retryAfterSeconds) {
        return new ApiError(429, message, retryAfterSeconds);
    }
}
