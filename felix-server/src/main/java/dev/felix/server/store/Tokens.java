package dev.felix.server.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Minting and hashing of tokens. A token is a kind prefix ({@code fxp_} private, {@code fxu_} public,
 * {@code fxs_} session) and 256 random bits in URL-safe base64, so it is valid as an HTTP header
 * value and as a WebSocket subprotocol token.
 */
public final class Tokens {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int RANDOM_BYTES = 32;
    private static final String SESSION_PREFIX = "fxs_";
    private static final Pattern SESSION = Pattern.compile(SESSION_PREFIX + "[A-Za-z0-9_-]{43}");

    private Tokens() {
    }

    public static String generate(Scope scope) {
        return generate(scope == Scope.PRIVATE ? "fxp_" : "fxu_");
    }

    private static String generate(String prefix) {
        byte[] bytes = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Whether a token has the shape of a session token, the only kind worth a store lookup when unknown. */
    public static boolean looksLikeSession(String token) {
        return token != null && SESSION.matcher(token).matches();
    }

    /** A token just minted: its record, and the token itself, which is kept nowhere. */
    public record Minted(TokenRecord record, String token) {
    }

    /** Mints an unrestricted token of this scope into the store, which keeps only its hash. */
    public static Minted mint(Store store, Scope scope, String owner, String label) {
        return mint(store, scope, owner, label, Access.UNRESTRICTED);
    }

    /** Mints a token that may touch what {@code access} says. */
    public static Minted mint(Store store, Scope scope, String owner, String label, Access access) {
        String token = generate(scope);
        return new Minted(store.createToken(new TokenTable.NewToken(hash(token), owner, scope, label, access, null,
                null)), token);
    }

    /** Mints a private session token for {@code parent}, valid until {@code expires}, ended with its parent. */
    public static Minted mintSession(Store store, TokenRecord parent, Access access, Instant expires) {
        String token = generate(SESSION_PREFIX);
        return new Minted(store.createToken(new TokenTable.NewToken(hash(token), parent.owner(), Scope.PRIVATE,
                null, access, expires, parent.id())), token);
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
