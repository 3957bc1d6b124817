package dev.felix.server.config;

import dev.felix.server.config.Setting.Group;

import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Every gateway setting, each declared once: adding a line here adds the flag, the environment
 * variable, the {@code felix.yml} key, the line in {@code felix config} and the value in
 * {@link GatewayConfig}. Help and {@code felix config} list them in this order.
 */
public final class Settings {
    /** Filled by the declarations below, in their order (static initialisers run top to bottom). */
    private static final List<Setting<?>> ALL = new ArrayList<>();
    /** A password parameter of a database URL ({@code ?user=u&password=…}, also {@code sslpassword=}). */
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");
    /**
     * What may follow the @ that ends a URL's user info: PostgreSQL's host list ({@code h1:5432,[::1]}),
     * then the path, the parameters or the end.
     */
    private static final Pattern URL_HOSTS = Pattern.compile("[A-Za-z0-9._~%\\[\\]:,-]*([/?#]|$)");
    private static final Pattern ORIGIN = Pattern.compile("https?://[A-Za-z0-9.\\-]+(:[0-9]{1,5})?|https?://\\[[0-9A-Fa-f:.]+](:[0-9]{1,5})?");

    // Where the gateway listens.
    public static final Setting<String> HOST = add(Setting.text(Group.LISTEN, "host", "ADDR", "0.0.0.0",
            "Address to bind"));
    public static final Setting<Integer> WS_PORT = add(Setting.port(Group.LISTEN, "ws-port", 8090,
            "Port of Felix's WebSocket"));
    public static final Setting<Integer> HTTP_PORT = add(Setting.port(Group.LISTEN, "http-port", 8080,
            "Port of the REST API"));
    public static final Setting<Integer> MAX_CONNECTIONS = add(Setting.count(Group.LISTEN, "max-connections", 0, 0,
            "Most open connections over both ports, beyond which new ones are answered 503 and closed; 0: the "
                    + "process's open-file limit less 256"));
    public static final Setting<Integer> MAX_CONNECTIONS_PER_IP = add(Setting.count(Group.LISTEN,
            "max-connections-per-ip", 0, 0, "Most open connections from one IP address over both ports; 0: no limit"));

    // What one WebSocket may do.
    public static final Setting<Duration> PING_INTERVAL = add(millis(Group.SOCKET, "ping-interval-ms", 30_000,
            "Ping interval; a socket that misses a pong for one interval is terminated"));
    public static final Setting<Integer> MAX_MESSAGE_BYTES = add(Setting.count(Group.SOCKET, "max-message-bytes",
            1024 * 1024, 64, "Largest client message; larger ones close the socket with 1009"));
    public static final Setting<Integer> MAX_LISTEN_IDS = add(Setting.count(Group.SOCKET, "max-listen-ids", 10_000, 1,
            "Most IDs per list in a listeners update; more closes the socket with 1008"));
    public static final Setting<Integer> MAX_QUEUED_BYTES = add(Setting.count(Group.SOCKET, "max-queued-bytes",
            4 * 1024 * 1024, 1024, "Most bytes queued for one socket and not yet sent; a client reading slower "
                    + "is closed with 1008 \"slow consumer\""));
    public static final Setting<Integer> MAX_MESSAGES_PER_SECOND = add(Setting.count(Group.SOCKET,
            "max-messages-per-second", 50, 1,
            "Sustained rate of frames one socket may send; faster closes it with 1008"));
    public static final Setting<Integer> MESSAGE_BURST = add(Setting.count(Group.SOCKET, "message-burst", 100, 1,
            "Frames one socket may send at once above that rate"));
    public static final Setting<Integer> MAX_CONNECTIONS_PER_TOKEN = add(Setting.count(Group.SOCKET,
            "max-connections-per-token", 1000, 1, "Most open sockets per token; more handshakes are refused with 429"));
    public static final Setting<Duration> HANDSHAKE_TIMEOUT = add(millis(Group.SOCKET, "handshake-timeout-ms", 10_000,
            "A connection that has not completed the WebSocket upgrade by then is closed"));

    // The REST API.
    public static final Setting<Integer> MAX_BODY_BYTES = add(Setting.count(Group.REST, "max-body-bytes",
            1024 * 1024, 64, "Largest REST request body"));
    public static final Setting<Integer> PUBLIC_DAILY_LIMIT = add(Setting.count(Group.REST, "public-daily-limit",
            500, 1, "REST requests a public token may make per rolling 24 hours; more are answered 429"));
    public static final Setting<Duration> REQUEST_BODY_TIMEOUT = add(millis(Group.REST, "request-body-timeout-ms",
            30_000, "A REST request body not received whole this long after its headers is answered 408 and its "
                    + "connection closed"));
    public static final Setting<Duration> HTTP_IDLE_TIMEOUT = add(millis(Group.REST, "http-idle-timeout-ms", 60_000,
            "A REST connection that neither sends nor receives a byte for this long is closed"));
    public static final Setting<Duration> SHUTDOWN_DRAIN = add(millis(Group.REST, "shutdown-drain-ms", 1_000,
            "On shutdown, how long the REST port stays open answering 503 with Connection: close, so that "
                    + "kept-alive clients are told to go rather than meeting a reset"));
    public static final Setting<List<String>> CORS_ORIGINS = add(Setting.list(Group.REST, "cors-origins", "ORIGINS",
            "Origins of browser pages that may call the REST API, comma-separated (https://dash.example.com), or * "
                    + "for any page, reading only; none by default", Settings::originProblem));

    // The merged bot status.
    public static final Setting<Duration> STATUS_TTL = add(millis(Group.STATUS, "status-ttl-ms", 30_000,
            "A status reporter silent this long shows its shards as disconnected"));

    // Tokens.
    public static final Setting<Duration> TOKEN_POLL_INTERVAL = add(millis(Group.TOKENS, "token-poll-interval-ms", 500,
            "How often tokens minted or revoked by other processes (felix token, other nodes) are picked up"));
    public static final Setting<Duration> MAX_SESSION_TTL = add(Setting.duration(Group.TOKENS,
            "max-session-ttl-minutes", ChronoUnit.MINUTES, Duration.ofDays(1),
            "Longest life a session token minted with POST /api/sessions may ask for (ttlSeconds)"));

    // The store, also read by the token commands.
    public static final Setting<Path> DATA = add(Setting.path(Group.STORE, "data", "DIR", Path.of("data"),
            "Data directory of the embedded SQLite store"));
    public static final Setting<String> DB_URL = add(Setting.text(Group.STORE, "db-url", "URL", null,
            "JDBC URL of the store; a jdbc:postgresql: URL selects PostgreSQL", Settings::databaseUrlProblem)
            .maskedBy(Settings::withoutPassword));
    public static final Setting<String> DB_USER = add(Setting.text(Group.STORE, "db-user", "USER", null,
            "PostgreSQL user, unless the URL names it"));
    public static final Setting<String> DB_PASSWORD = add(Setting.text(Group.STORE, "db-password", "PASSWORD", null,
            "PostgreSQL password; prefer the variable, the command line is visible to other users of the machine")
            .secret());
    public static final Setting<Duration> CHANGE_LOG_RETENTION = add(Setting.duration(Group.STORE,
            "change-log-retention-minutes", ChronoUnit.MINUTES, Duration.ofHours(24),
            "PostgreSQL only: how long change-log rows are kept before they are pruned"));

    public static final Setting<Duration> WRITE_DEADLINE = add(millis(Group.STORE, "write-deadline-ms", 5_000,
            "An entry write the store has not taken by then is answered 503 and never written; PostgreSQL reads "
                    + "and writes wait no longer for a connection"));

    // TLS on both ports.
    public static final Setting<Path> TLS_CERT = add(Setting.path(Group.TLS, "tls-cert", "PEM", null,
            "PEM certificate chain; with --tls-key both ports serve TLS only: wss:// and https://"));
    public static final Setting<Path> TLS_KEY = add(Setting.path(Group.TLS, "tls-key", "PEM", null,
            "PEM private key (PKCS#8 or PKCS#1) of --tls-cert"));

    private Settings() {
    }

    /** PostgreSQL is the only database named by URL; without one the store is SQLite in the data directory. */
    private static String databaseUrlProblem(String url) {
        if (url.startsWith("jdbc:postgresql:")) {
            return null;
        }
        return "must be a jdbc:postgresql: URL, or unset for the embedded SQLite store, was '"
                + withoutPassword(url) + "'";
    }

    /**
     * A database URL with the password in its parameters or its user info masked. A password may hold
     * any character, / ? and @ too, so its user info is taken to end at the last @ that a host list
     * follows, else at the last @ at all: where it cannot tell, it masks more than the password, never less.
     */
    private static String withoutPassword(String url) {
        String masked = URL_PASSWORD.matcher(url).replaceAll("$1" + Setting.MASK);
        int authority = masked.indexOf("//");
        if (authority < 0) {
            return masked;
        }
        int colon = masked.indexOf(':', authority + 2);
        int end = userInfoEnd(masked, authority + 2);
        if (colon < 0 || end < colon) {
            return masked;
        }
        return masked.substring(0, colon + 1) + Setting.MASK + masked.substring(end);
    }

    /** The @ that ends a URL's user info, searched from {@code from}; -1 when there is none. */
    private static int userInfoEnd(String url, int from) {
        int last = url.lastIndexOf('@');
        for (int at = last; at >= from; at = url.lastIndexOf('@', at - 1)) {
            if (URL_HOSTS.matcher(url).region(at + 1, url.length()).lookingAt()) {
                return at;
            }
        }
        return last >= from ? last : -1;
    }

    /** An origin as a browser sends it: scheme://host[:port], nothing after; or * alone. */
    private static String originProblem(String origin) {
        if (origin.equals("*") || ORIGIN.matcher(origin).matches()) {
            return null;
        }
        return "takes origins such as https://dash.example.com (scheme, host, optional port, no path) or *, was '"
                + origin + "'";
    }

    /** Every setting, in declaration order. */
    public static List<Setting<?>> all() {
        return Collections.unmodifiableList(ALL);
    }

    /**
     * The setting of a {@code felix.yml} key.
     *
     * @throws IllegalArgumentException naming every key when there is no such setting
     */
    public static Setting<?> named(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown option '" + name + "'; known options: "
                        + String.join(", ", ALL.stream().map(Setting::name).sorted().toList())));
    }

    /** The settings of one group, in declaration order. */
    public static List<Setting<?>> of(Group group) {
        return ALL.stream().filter(s -> s.group() == group).toList();
    }

    private static <T> Setting<T> add(Setting<T> setting) {
        ALL.add(setting);
        return setting;
    }

    private static Setting<Duration> millis(Group group, String name, long defaultMs, String help) {
        return Setting.duration(group, name, ChronoUnit.MILLIS, Duration.ofMillis(defaultMs), help);
    }
}
