package dev.felix.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The SQL of the {@code tokens} table, which SQLite and PostgreSQL define alike. */
public final class TokenTable {
    private TokenTable() {
    }

    public static TokenRecord insert(Connection conn, String hash, String owner, Scope scope, String label)
            throws SQLException {
        return insert(conn, "INSERT INTO tokens (hash, owner, scope, label, created_at) VALUES (?, ?, ?, ?, ?) "
                + "RETURNING id", hash, owner, scope, label).orElseThrow();
    }

    /**
     * Inserts a private token unless a valid one exists; empty if one did. One statement, which is
     * atomic on SQLite; PostgreSQL callers lock the table first, as two concurrent statements would
     * both find no token under READ COMMITTED.
     */
    public static Optional<TokenRecord> insertFirstPrivate(Connection conn, String hash, String owner, String label)
            throws SQLException {
        return insert(conn, "INSERT INTO tokens (hash, owner, scope, label, created_at) SELECT ?, ?, ?, ?, ? "
                + "WHERE NOT EXISTS (SELECT 1 FROM tokens WHERE scope = '" + Scope.PRIVATE.label()
                + "' AND revoked_at IS NULL) RETURNING id", hash, owner, Scope.PRIVATE, label);
    }

    private static Optional<TokenRecord> insert(Connection conn, String sql, String hash, String owner, Scope scope,
                                                String label) throws SQLException {
        long now = System.currentTimeMillis();
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, hash);
            ps.setString(2, owner);
            ps.setString(3, scope.label());
            ps.setString(4, label);
            ps.setLong(5, now);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new TokenRecord(rs.getLong(1), hash, owner, scope, label, Instant.ofEpochMilli(now), null))
                        : Optional.empty();
            }
        }
    }

    public static List<TokenRecord> list(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery(
                     "SELECT id, hash, owner, scope, label, created_at, revoked_at FROM tokens ORDER BY id")) {
            List<TokenRecord> out = new ArrayList<>();
            while (rs.next()) {
                long revokedAt = rs.getLong(7);
                Instant revoked = rs.wasNull() ? null : Instant.ofEpochMilli(revokedAt);
                out.add(new TokenRecord(rs.getLong(1), rs.getString(2), rs.getString(3), Scope.parse(rs.getString(4)),
                        rs.getString(5), Instant.ofEpochMilli(rs.getLong(6)), revoked));
            }
            return out;
        }
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
