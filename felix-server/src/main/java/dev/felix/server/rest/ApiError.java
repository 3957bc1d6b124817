package dev.felix.server.rest;

import java.util.Map;

/** A REST failure with its HTTP status; the router turns it into {@code {status, error, message}}. */
final class ApiError extends RuntimeException {
    private final int status;
    private final Map<String, String> headers;

    ApiError(int status, String message) {
        this(status, message, Map.of());
    }

    ApiError(int status, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.headers = headers;
    }

    int status() {
        return status;
    }

    /** Headers the error response carries besides its body. */
    Map<String, String> headers() {
        return headers;
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, message);
    }

    static ApiError notFound(String message) {
        return new ApiError(404, message);
    }

    static ApiError tooManyRequests(String message, long retryAfterSeconds) {
        return new ApiError(429, message, Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    static ApiError methodNotAllowed(String method, String path, String allow) {
        return new ApiError(405, method + " is not allowed on " + path + " (allowed: " + allow + ")",
                Map.of("Allow", allow));
    }
}
