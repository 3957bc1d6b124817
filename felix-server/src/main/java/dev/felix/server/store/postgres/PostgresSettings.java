package dev.felix.server.store.postgres;

import dev.felix.server.config.GatewayConfig;

import java.time.Duration;
import java.util.Objects;

import static dev.felix.server.config.Settings.CHANGE_LOG_RETENTION;
import static dev.felix.server.config.Settings.DB_PASSWORD;
import static dev.felix.server.config.Settings.DB_URL;
import static dev.felix.server.config.Settings.DB_USER;
import static dev.felix.server.config.Settings.WRITE_DEADLINE;

/**
 * How to reach PostgreSQL and how to follow its change log.
 *
 * @param url          a {@code jdbc:postgresql:} URL
 * @param user         the database user, or null when the URL or the driver's defaults name it
 * @param password     the password, or null
 * @param retention    how long change-log rows are kept; a node that falls further behind than this
 *                     misses changes
 * @param pollInterval how often the change log is read even without a notification, and how soon a
 *                     lost listening connection is noticed
 * @param writeDeadline how long a write (or a read) waits for the database before it fails
 */
public record PostgresSettings(String url, String user, String password, Duration retention, Duration pollInterval,
                               Duration writeDeadline) {
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

    /** Settings with the default write deadline. */
    public PostgresSettings(String url, String user, String password, Duration retention, Duration pollInterval) {
        this(url, user, password, retention, pollInterval, WRITE_DEADLINE.defaultValue());
    }

    public PostgresSettings {
        Objects.requireNonNull(url, "url");
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("not a jdbc:postgresql: URL: " + DB_URL.masked(url));
        }
        if (retention == null || retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be positive, was " + retention);
        }
        if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive, was " + pollInterval);
        }
        if (writeDeadline == null || writeDeadline.isNegative() || writeDeadline.isZero()) {
            throw new IllegalArgumentException("writeDeadline must be positive, was " + writeDeadline);
        }
    }

    public static PostgresSettings of(GatewayConfig config) {
        return new PostgresSettings(config.get(DB_URL), config.get(DB_USER), config.get(DB_PASSWORD),
                config.get(CHANGE_LOG_RETENTION), DEFAULT_POLL_INTERVAL, config.get(WRITE_DEADLINE));
    }

    /** The URL without its parameters and with its user info's password masked: fit for logs and error messages. */
    public String safeUrl() {
        // Masked first: a ? in the password would otherwise cut the URL inside its user info.
        String masked = DB_URL.masked(url);
        int q = masked.indexOf('?');
        return q < 0 ? masked : masked.substring(0, q);
    }

    /** Never shows the password, so the settings may be logged. */
    @Override
    public String toString() {
        return "PostgresSettings[url=" + safeUrl() + ", user=" + user + ", retention=" + retention + ", pollInterval="
                + pollInterval + ", writeDeadline=" + writeDeadline + "]";
    }
}
