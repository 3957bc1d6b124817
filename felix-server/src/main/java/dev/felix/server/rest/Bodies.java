package dev.felix.server.rest;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * What a request body must be before a route reads it: JSON by its Content-Type (merge-patch JSON
 * too for PATCH), without a content coding, and when it is UTF-8, well-formed UTF-8.
 */
final class Bodies {
    static final String MERGE_PATCH = "application/merge-patch+json";

    private Bodies() {
    }

    /** 415 unless the request announces a body this API reads; checked before the body is read. */
    static void checkMediaType(HttpServerRequest request) {
        boolean patch = request.method() == HttpMethod.PATCH;
        String accepted = patch ? Replies.JSON + " or " + MERGE_PATCH : Replies.JSON;
        String encoding = request.getHeader("Content-Encoding");
        if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
            throw unsupported(patch, "Content-Encoding " + encoding.trim() + " is not supported");
        }
        String type = request.getHeader("Content-Type");
        if (type == null || type.isBlank()) {
            throw unsupported(patch, "a body needs Content-Type: " + accepted);
        }
        String[] parts = type.split(";");
        String media = parts[0].trim().toLowerCase(Locale.ROOT);
        if (!media.equals(Replies.JSON) && !(patch && media.equals(MERGE_PATCH))) {
            throw unsupported(patch, "Content-Type must be " + accepted + ", was '" + type.trim() + "'");
        }
        String charset = charset(parts);
        if (charset != null && !charset.startsWith("utf-")) {
            throw unsupported(patch, "JSON is UTF-8 (or UTF-16/32), not charset=" + charset);
        }
    }

    /**
     * 400 for a UTF-8 body with an ill-formed sequence. The JSON parser refuses most of them but reads
     * an overlong form ({@code C0 AF}) as the character it spells ('/'), which would let a body say
     * what a check on its bytes did not see; the JDK's decoder refuses every ill-formed sequence.
     */
    static void checkUtf8(Buffer body) {
        if (body == null || body.length() == 0) {
            return;
        }
        byte[] bytes = body.getBytes();
        if (!isUtf8(bytes)) {
            return;
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            throw ApiError.badRequest("body is not valid UTF-8");
        }
    }

    /**
     * Whether the JSON parser will read these bytes as UTF-8: JSON in UTF-16 or UTF-32 starts with
     * a byte order mark or, as its first character is ASCII, with a zero byte among its first two.
     */
    private static boolean isUtf8(byte[] bytes) {
        if (bytes.length >= 2) {
            int b0 = bytes[0] & 0xff;
            int b1 = bytes[1] & 0xff;
            return b0 != 0 && b1 != 0 && !(b0 == 0xfe && b1 == 0xff) && !(b0 == 0xff && b1 == 0xfe);
        }
        return true;
    }

    private static String charset(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].split("=", 2);
            if (param.length == 2 && param[0].trim().equalsIgnoreCase("charset")) {
                return param[1].trim().replace("\"", "").toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    private static ApiError unsupported(boolean patch, String message) {
        // RFC 5789 §3.1: a PATCH refused for its media type says which ones the resource accepts.
        return new ApiError(415, message, patch ? Map.of("Accept-Patch", MERGE_PATCH + ", " + Replies.JSON) : Map.of());
    }
}
