package dev.felix.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The SQL of the {@code tokens} table, which SQLite and PostgreSQL define alike. */
public final class TokenTable {
    private static final String COLUMNS = "id, hash, owner, scope, label, created_at, revoked_at, guilds, users, "
            + "read_only, expires_at, parent_id";
    private static final String INSERT_COLUMNS = "hash, owner, scope, label, created_at, guilds, users, read_only, "
            + "expires_at, parent_id";

    private TokenTable() {
    }

    /** Token SQL on one connection, for {@link Store#onTokens}. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection conn) throws SQLException;
    }

    /** A token to insert: every column but the id and the revocation. */
    public record NewToken(String hash, String owner, Scope scope, String label, Access access, Instant expires,
                           Long parent) {
    }

    public static TokenRecord insert(Connection conn, NewToken token) throws SQLException {
        return insert(conn, "INSERT INTO tokens (" + INSERT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                + "RETURNING id", token).orElseThrow();
    }

    /**
     * Inserts an unrestricted private token unless a valid one exists; empty if one did. One statement,
     * which is atomic on SQLite; PostgreSQL callers lock the table first, as two concurrent statements
     * would both find no token under READ COMMITTED.
     */
    public static Optional<TokenRecord> insertFirstPrivate(Connection conn, String hash, String owner, String label)
            throws SQLException {
        return insert(conn, "INSERT INTO tokens (" + INSERT_COLUMNS + ") SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
                + "WHERE NOT EXISTS (SELECT 1 FROM tokens WHERE scope = '" + Scope.PRIVATE.label()
                + "' AND revoked_at IS NULL AND guilds IS NULL AND expires_at IS NULL) RETURNING id",
                new NewToken(hash, owner, Scope.PRIVATE, label, Access.UNRESTRICTED, null, null));
    }

    private static Optional<TokenRecord> insert(Connection conn, String sql, NewToken t) throws SQLException {
        long now = System.currentTimeMillis();
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, t.hash());
            ps.setString(2, t.owner());
            ps.setString(3, t.scope().label());
            ps.setString(4, t.label());
            ps.setLong(5, now);
            ps.setString(6, t.access().scoped() ? join(t.access().guilds()) : null);
            ps.setString(7, t.access().scoped() ? join(t.access().users()) : null);
            ps.setBoolean(8, t.access().readOnly());
            if (t.expires() == null) {
                ps.setNull(9, Types.BIGINT);
            } else {
                ps.setLong(9, t.expires().toEpochMilli());
            }
            if (t.parent() == null) {
                ps.setNull(10, Types.BIGINT);
            } else {
                ps.setLong(10, t.parent());
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new TokenRecord(rs.getLong(1), t.hash(), t.owner(), t.scope(), t.label(),
                        Instant.ofEpochMilli(now), null, t.access(), t.expires(), t.parent()))
                        : Optional.empty();
            }
        }
    }

    /** All tokens, revoked and expired ones too, ordered by id. */
    public static List<TokenRecord> list(Connection conn) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT " + COLUMNS + " FROM tokens ORDER BY id")) {
            return read(ps);
        }
    }

    /** The tokens valid at {@code nowMs}: neither revoked nor expired. */
    public static List<TokenRecord> listValid(Connection conn, long nowMs) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT " + COLUMNS + " FROM tokens WHERE revoked_at IS NULL "
                + "AND (expires_at IS NULL OR expires_at > ?) ORDER BY id")) {
            ps.setLong(1, nowMs);
            return read(ps);
        }
    }

    /** The token with this hash, whatever its state. */
    public static Optional<TokenRecord> find(Connection conn, String hash) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT " + COLUMNS + " FROM tokens WHERE hash = ?")) {
            ps.setString(1, hash);
            return read(ps).stream().findFirst();
        }
    }

    /** Deletes the tokens that expired before {@code beforeMs}; returns how many. */
    public static int deleteExpired(Connection conn, long beforeMs) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM tokens WHERE expires_at < ?")) {
            ps.setLong(1, beforeMs);
            return ps.executeUpdate();
        }
    }

    private static List<TokenRecord> read(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            List<TokenRecord> out = new ArrayList<>();
            while (rs.next()) {
                Scope scope = Scope.parse(rs.getString(4));
                // A public token only reads, whatever its row says: rows from before read_only existed say false.
                boolean readOnly = rs.getBoolean(10) || scope == Scope.PUBLIC;
                String guilds = rs.getString(8);
                Access access = guilds == null ? (readOnly ? Access.READ_ANY : Access.UNRESTRICTED)
                        : Access.only(split(guilds), split(rs.getString(9)), readOnly);
                out.add(new TokenRecord(rs.getLong(1), rs.getString(2), rs.getString(3), scope,
                        rs.getString(5), Instant.ofEpochMilli(rs.getLong(6)), instant(rs, 7), access,
                        instant(rs, 11), nullableLong(rs, 12)));
            }
            return out;
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long ms = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(ms);
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    private static String join(Set<String> ids) {
        return String.join(",", new TreeSet<>(ids));
    }

    private static Set<String> split(String ids) {
        return ids == null || ids.isEmpty() ? Set.of() : Set.copyOf(Arrays.asList(ids.split(",")));
    }

    /** True when a valid token had this id and is now revoked. */
    public static boolean revoke(Connection conn, long id) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(
                "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
            ps.setLong(1, System.currentTimeMillis());
            ps.setLong(2, id);
            return ps.executeUpdate() == 1;
        }
    }
}
