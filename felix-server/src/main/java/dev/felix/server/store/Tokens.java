package dev.felix.server.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Minting and hashing of tokens. A token is a scope prefix and 256 random bits in URL-safe
 * base64, so it is valid as an HTTP header value and as a WebSocket subprotocol token.
 */
public final class Tokens {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int RANDOM_BYTES = 32;

    private Tokens() {
    }

    public static String generate(Scope scope) {
        byte[] bytes = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        String prefix = scope == Scope.PRIVATE ? "fxp_" : "fxu_";
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A token just minted: its record, and the token itself, which is kept nowhere. */
    public record Minted(TokenRecord record, String token) {
    }

    /** Mints a token of this scope into the store, which keeps only its hash. */
    public static Minted mint(Store store, Scope scope, String owner, String label) {
        String token = generate(scope);
        return new Minted(store.createToken(hash(token), owner, scope, label), token);
    }

    /** Mints the private token a fresh install starts with, unless a valid private token exists. */
    public static Optional<Minted> mintFirstPrivate(Store store, String owner, String label) {
        String token = generate(Scope.PRIVATE);
        return store.createFirstPrivateToken(hash(token), owner, label).map(record -> new Minted(record, token));
    }

    /** Hex SHA-256: the only form in which a token is stored, looked up or compared. */
    public static String hash(String token) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
