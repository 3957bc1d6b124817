package dev.felix.server.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Versioned schema migrations: {@code db/<dialect>/V<n>__<name>.sql} on the classpath, applied
 * in order, each once, recorded in {@code schema_version}. Statements in a script are separated
 * by a line holding only {@code ;} or by a {@code ;} that ends a line outside a trigger or
 * function body, which the dialect scripts avoid by using the separator line where needed.
 */
public final class Migrations {
    private Migrations() {
    }

    /**
     * Applies every migration of the dialect that the database has not seen yet.
     *
     * @param scripts the script names in order, e.g. {@code V1__init.sql}
     */
    public static void apply(Connection conn, String dialect, List<String> scripts) throws SQLException {
        boolean autoCommit = conn.getAutoCommit();
        conn.setAutoCommit(false);
        try (Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                    + "applied_at BIGINT NOT NULL)");
            conn.commit();
            int current = currentVersion(conn);
            for (int i = current; i < scripts.size(); i++) {
                String name = scripts.get(i);
                for (String sql : statements(read("db/" + dialect + "/" + name))) {
                    st.execute(sql);
                }
                try (PreparedStatement ps = conn.prepareStatement(
                        "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)")) {
                    ps.setInt(1, i + 1);
                    ps.setString(2, name);
                    ps.setLong(3, System.currentTimeMillis());
                    ps.executeUpdate();
                }
                conn.commit();
            }
        } catch (SQLException | RuntimeException e) {
            conn.rollback();
            throw e;
        } finally {
            conn.setAutoCommit(autoCommit);
        }
    }

    private static int currentVersion(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean explicitSeparators = script.lines().anyMatch(l -> l.strip().equals(";"));
        for (String line : script.split("\n", -1)) {
            String stripped = line.strip();
            if (stripped.startsWith("--") && current.isEmpty()) {
                continue;
            }
            boolean ends = explicitSeparators ? stripped.equals(";") : stripped.endsWith(";");
            if (!(explicitSeparators && ends)) {
                current.append(line).append('\n');
            }
            if (ends) {
                String sql = current.toString().strip();
                if (!explicitSeparators && sql.endsWith(";")) {
                    sql = sql.substring(0, sql.length() - 1);
                }
                if (!sql.isEmpty()) {
                    out.add(sql);
                }
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString().strip());
        }
        return out;
    }

    private static String read(String resource) {
        try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing migration " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
