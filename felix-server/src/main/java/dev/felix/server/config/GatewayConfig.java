package dev.felix.server.config;

import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Everything a gateway process needs to start. Immutable; build one with {@link #builder()},
 * which starts from the documented defaults, or change a copy with {@link #toBuilder()}.
 *
 * @param dataDir           where the embedded SQLite database lives
 * @param dbUrl             a JDBC URL; {@code null} means SQLite in {@code dataDir}
 * @param host              the address both ports bind to
 * @param wsPort            Felix's WebSocket (0 picks a free port)
 * @param httpPort          the REST API (0 picks a free port)
 * @param pingInterval      time between pings; a session that has not answered the previous
 *                          ping by the next one is terminated
 * @param maxMessageBytes   the largest client message; larger ones close the socket with 1009
 * @param maxListenIds      the most IDs one list of a listeners update may hold (1008 beyond)
 * @param maxBodyBytes      the largest REST request body
 * @param tokenPollInterval how often token changes made by other processes are picked up
 * @param publicDailyLimit  REST requests a public token may make per rolling 24 hours
 * @param statusTtl         how long a status reporter may stay silent before its shards show
 *                          as disconnected
 * @param dbUser            PostgreSQL user, or null when the URL (or the driver's default) names it
 * @param dbPassword        PostgreSQL password, or null
 * @param changeLogRetention how long PostgreSQL keeps change-log rows; a node further behind misses changes
 * @param maxQueuedBytes    the most bytes written to one socket and not yet sent; a client that
 *                          reads slower than that is closed with 1008 "slow consumer"
 * @param maxInboundPerSecond the sustained rate of data frames one socket may send (1008 beyond)
 * @param inboundBurst      how many data frames one socket may send at once above that rate
 * @param maxConnectionsPerToken the most open sockets one token may hold; more are refused with 429
 * @param handshakeTimeout  a connection that has not completed the WebSocket upgrade by then is closed
 * @param httpIdleTimeout   a REST connection that neither sends nor receives a byte for this long is
 *                          closed, so half-sent requests and forgotten keep-alive connections do not pile up
 * @param tlsCert           a PEM certificate chain; with {@code tlsKey} both ports serve TLS only
 * @param tlsKey            the PEM private key of {@code tlsCert}
 */
public record GatewayConfig(
        Path dataDir,
        String dbUrl,
        String host,
        int wsPort,
        int httpPort,
        Duration pingInterval,
        int maxMessageBytes,
        int maxListenIds,
        int maxBodyBytes,
        Duration tokenPollInterval,
        int publicDailyLimit,
        Duration statusTtl,
        String dbUser,
        String dbPassword,
        Duration changeLogRetention,
        int maxQueuedBytes,
        int maxInboundPerSecond,
        int inboundBurst,
        int maxConnectionsPerToken,
        Duration handshakeTimeout,
        Duration httpIdleTimeout,
        Path tlsCert,
        Path tlsKey) {

    public static final int DEFAULT_WS_PORT = 8090;
    public static final int DEFAULT_HTTP_PORT = 8080;

    public GatewayConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(host, "host");
        requirePort(wsPort, "wsPort");
        requirePort(httpPort, "httpPort");
        requirePositive(pingInterval, "pingInterval");
        requirePositive(tokenPollInterval, "tokenPollInterval");
        requirePositive(changeLogRetention, "changeLogRetention");
        requireAtLeast(maxMessageBytes, 64, "maxMessageBytes");
        requireAtLeast(maxListenIds, 1, "maxListenIds");
        requireAtLeast(maxBodyBytes, 64, "maxBodyBytes");
        requireAtLeast(publicDailyLimit, 1, "publicDailyLimit");
        requirePositive(statusTtl, "statusTtl");
        requireAtLeast(maxQueuedBytes, 1024, "maxQueuedBytes");
        requireAtLeast(maxInboundPerSecond, 1, "maxInboundPerSecond");
        requireAtLeast(inboundBurst, 1, "inboundBurst");
        requireAtLeast(maxConnectionsPerToken, 1, "maxConnectionsPerToken");
        requirePositive(handshakeTimeout, "handshakeTimeout");
        requirePositive(httpIdleTimeout, "httpIdleTimeout");
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("TLS needs both a certificate and a key (--tls-cert and --tls-key)");
        }
    }

    /** True when both ports serve TLS ({@code wss://} and {@code https://}). */
    public boolean tls() {
        return tlsCert != null;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static GatewayConfig defaults() {
        return builder().build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.dataDir = dataDir;
        b.dbUrl = dbUrl;
        b.host = host;
        b.wsPort = wsPort;
        b.httpPort = httpPort;
        b.pingInterval = pingInterval;
        b.maxMessageBytes = maxMessageBytes;
        b.maxListenIds = maxListenIds;
        b.maxBodyBytes = maxBodyBytes;
        b.tokenPollInterval = tokenPollInterval;
        b.publicDailyLimit = publicDailyLimit;
        b.statusTtl = statusTtl;
        b.dbUser = dbUser;
        b.dbPassword = dbPassword;
        b.changeLogRetention = changeLogRetention;
        b.maxQueuedBytes = maxQueuedBytes;
        b.maxInboundPerSecond = maxInboundPerSecond;
        b.inboundBurst = inboundBurst;
        b.maxConnectionsPerToken = maxConnectionsPerToken;
        b.handshakeTimeout = handshakeTimeout;
        b.httpIdleTimeout = httpIdleTimeout;
        b.tlsCert = tlsCert;
        b.tlsKey = tlsKey;
        return b;
    }

    /** True when {@link #dbUrl} names PostgreSQL rather than the embedded SQLite store. */
    /** The record's usual text, with the database password masked, so a configuration may be logged. */
    @Override
    public String toString() {
        StringJoiner out = new StringJoiner(", ", "GatewayConfig[", "]");
        for (RecordComponent component : GatewayConfig.class.getRecordComponents()) {
            Object value;
            try {
                value = component.getAccessor().invoke(this);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            boolean secret = component.getName().equals("dbPassword") && value != null;
            out.add(component.getName() + "=" + (secret ? "****" : value));
        }
        return out.toString();
    }

    public boolean usesPostgres() {
        return dbUrl != null && dbUrl.startsWith("jdbc:postgresql:");
    }

    private static void requirePort(int port, String name) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + " must be 0-65535, was " + port);
        }
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, was " + (d == null ? null : d.toMillis() + " ms"));
        }
    }

    private static void requireAtLeast(int value, int min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
        }
    }

    /** Starts from the documented defaults. */
    public static final class Builder {
        private Path dataDir = Path.of("data");
        private String dbUrl;
        private String host = "0.0.0.0";
        private int wsPort = DEFAULT_WS_PORT;
        private int httpPort = DEFAULT_HTTP_PORT;
        private Duration pingInterval = Duration.ofSeconds(30);
        private int maxMessageBytes = 1024 * 1024;
        private int maxListenIds = 10_000;
        private int maxBodyBytes = 1024 * 1024;
        private Duration tokenPollInterval = Duration.ofMillis(500);
        private int publicDailyLimit = 500;
        private Duration statusTtl = Duration.ofSeconds(30);
        private String dbUser;
        private String dbPassword;
        private Duration changeLogRetention = Duration.ofHours(24);
        private int maxQueuedBytes = 4 * 1024 * 1024;
        private int maxInboundPerSecond = 50;
        private int inboundBurst = 100;
        private int maxConnectionsPerToken = 1000;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration httpIdleTimeout = Duration.ofSeconds(60);
        private Path tlsCert;
        private Path tlsKey;

        private Builder() {
        }

        public Builder dataDir(Path value) {
            dataDir = value;
            return this;
        }

        public Builder dbUrl(String value) {
            dbUrl = value;
            return this;
        }

        public Builder host(String value) {
            host = value;
            return this;
        }

        public Builder wsPort(int value) {
            wsPort = value;
            return this;
        }

        public Builder httpPort(int value) {
            httpPort = value;
            return this;
        }

        public Builder pingInterval(Duration value) {
            pingInterval = value;
            return this;
        }

        public Builder maxMessageBytes(int value) {
            maxMessageBytes = value;
            return this;
        }

        public Builder maxListenIds(int value) {
            maxListenIds = value;
            return this;
        }

        public Builder maxBodyBytes(int value) {
            maxBodyBytes = value;
            return this;
        }

        public Builder tokenPollInterval(Duration value) {
            tokenPollInterval = value;
            return this;
        }

        public Builder publicDailyLimit(int value) {
            publicDailyLimit = value;
            return this;
        }

        public Builder statusTtl(Duration value) {
            statusTtl = value;
            return this;
        }

        public Builder dbUser(String value) {
            dbUser = value;
            return this;
        }

        public Builder dbPassword(String value) {
            dbPassword = value;
            return this;
        }

        public Builder changeLogRetention(Duration value) {
            changeLogRetention = value;
            return this;
        }

        public Builder maxQueuedBytes(int value) {
            maxQueuedBytes = value;
            return this;
        }

        public Builder maxInboundPerSecond(int value) {
            maxInboundPerSecond = value;
            return this;
        }

        public Builder inboundBurst(int value) {
            inboundBurst = value;
            return this;
        }

        public Builder maxConnectionsPerToken(int value) {
            maxConnectionsPerToken = value;
            return this;
        }

        public Builder handshakeTimeout(Duration value) {
            handshakeTimeout = value;
            return this;
        }

        public Builder httpIdleTimeout(Duration value) {
            httpIdleTimeout = value;
            return this;
        }

        /** Serve TLS with this PEM certificate chain and PEM private key; both null for plain text. */
        public Builder tls(Path cert, Path key) {
            tlsCert = cert;
            tlsKey = key;
            return this;
        }

        public GatewayConfig build() {
            return new GatewayConfig(dataDir, dbUrl, host, wsPort, httpPort, pingInterval, maxMessageBytes,
                    maxListenIds, maxBodyBytes, tokenPollInterval, publicDailyLimit, statusTtl,
                    dbUser, dbPassword, changeLogRetention,
                    maxQueuedBytes, maxInboundPerSecond,
                    inboundBurst, maxConnectionsPerToken, handshakeTimeout, httpIdleTimeout, tlsCert, tlsKey);
        }
    }
}
