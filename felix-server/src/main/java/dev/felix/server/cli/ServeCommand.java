package dev.felix.server.cli;

import dev.felix.server.Gateway;
import dev.felix.server.config.GatewayConfig;
import dev.felix.server.store.Tokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code felix serve}: runs the gateway until SIGTERM or SIGINT. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the gateway: Felix's WebSocket and the REST API.")
final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    private static final Map<String, String> OTHER_NAMES = Map.of(
            "maxInboundPerSecond", "--max-messages-per-second", "inboundBurst", "--message-burst");

    @Spec
    CommandSpec spec;

    @Mixin
    StoreOptions store;

    @Mixin
    LogOptions logs;

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "${env:FELIX_HOST:-0.0.0.0}",
            description = "Address to bind (env FELIX_HOST, default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--ws-port", paramLabel = "PORT", defaultValue = "${env:FELIX_WS_PORT:-8090}",
            description = "Port of Felix's WebSocket (env FELIX_WS_PORT, default: ${DEFAULT-VALUE}).")
    int wsPort;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "${env:FELIX_HTTP_PORT:-8080}",
            description = "Port of the REST API (env FELIX_HTTP_PORT, default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--ping-interval-ms", paramLabel = "MS", defaultValue = "${env:FELIX_PING_INTERVAL_MS:-30000}",
            description = "Ping interval; a socket that misses a pong for one interval is terminated "
                    + "(env FELIX_PING_INTERVAL_MS, default: ${DEFAULT-VALUE}).")
    long pingIntervalMs;

    @Option(names = "--max-message-bytes", paramLabel = "N", defaultValue = "${env:FELIX_MAX_MESSAGE_BYTES:-1048576}",
            description = "Largest client message; larger ones close the socket with 1009 "
                    + "(env FELIX_MAX_MESSAGE_BYTES, default: ${DEFAULT-VALUE}).")
    int maxMessageBytes;

    @Option(names = "--max-listen-ids", paramLabel = "N", defaultValue = "${env:FELIX_MAX_LISTEN_IDS:-10000}",
            description = "Most IDs per list in a listeners update; more closes the socket with 1008 "
                    + "(env FELIX_MAX_LISTEN_IDS, default: ${DEFAULT-VALUE}).")
    int maxListenIds;

    @Option(names = "--max-body-bytes", paramLabel = "N", defaultValue = "${env:FELIX_MAX_BODY_BYTES:-1048576}",
            description = "Largest REST request body (env FELIX_MAX_BODY_BYTES, default: ${DEFAULT-VALUE}).")
    int maxBodyBytes;

    @Option(names = "--public-daily-limit", paramLabel = "N", defaultValue = "${env:FELIX_PUBLIC_DAILY_LIMIT:-500}",
            description = "REST requests a public token may make per rolling 24 hours; more are answered 429 "
                    + "(env FELIX_PUBLIC_DAILY_LIMIT, default: ${DEFAULT-VALUE}).")
    int publicDailyLimit;

    @Option(names = "--status-ttl-ms", paramLabel = "MS", defaultValue = "${env:FELIX_STATUS_TTL_MS:-30000}",
            description = "A status reporter silent this long shows its shards as disconnected "
                    + "(env FELIX_STATUS_TTL_MS, default: ${DEFAULT-VALUE}).")
    long statusTtlMs;
    @Option(names = "--max-queued-bytes", paramLabel = "N", defaultValue = "${env:FELIX_MAX_QUEUED_BYTES:-4194304}",
            description = "Most bytes queued for one socket and not yet sent; a client reading slower is closed "
                    + "with 1008 \"slow consumer\" (env FELIX_MAX_QUEUED_BYTES, default: ${DEFAULT-VALUE}).")
    int maxQueuedBytes;

    @Option(names = "--max-messages-per-second", paramLabel = "N",
            defaultValue = "${env:FELIX_MAX_MESSAGES_PER_SECOND:-50}",
            description = "Sustained rate of frames one socket may send; faster closes it with 1008 "
                    + "(env FELIX_MAX_MESSAGES_PER_SECOND, default: ${DEFAULT-VALUE}).")
    int maxMessagesPerSecond;

    @Option(names = "--message-burst", paramLabel = "N", defaultValue = "${env:FELIX_MESSAGE_BURST:-100}",
            description = "Frames one socket may send at once above that rate "
                    + "(env FELIX_MESSAGE_BURST, default: ${DEFAULT-VALUE}).")
    int messageBurst;

    @Option(names = "--max-connections-per-token", paramLabel = "N",
            defaultValue = "${env:FELIX_MAX_CONNECTIONS_PER_TOKEN:-1000}",
            description = "Most open sockets per token; more handshakes are refused with 429 "
                    + "(env FELIX_MAX_CONNECTIONS_PER_TOKEN, default: ${DEFAULT-VALUE}).")
    int maxConnectionsPerToken;

    @Option(names = "--handshake-timeout-ms", paramLabel = "MS", defaultValue = "${env:FELIX_HANDSHAKE_TIMEOUT_MS:-10000}",
            description = "A connection that has not completed the WebSocket upgrade by then is closed "
                    + "(env FELIX_HANDSHAKE_TIMEOUT_MS, default: ${DEFAULT-VALUE}).")
    long handshakeTimeoutMs;

    @Option(names = "--http-idle-timeout-ms", paramLabel = "MS", defaultValue = "${env:FELIX_HTTP_IDLE_TIMEOUT_MS:-60000}",
            description = "A REST connection that neither sends nor receives a byte for this long is closed "
                    + "(env FELIX_HTTP_IDLE_TIMEOUT_MS, default: ${DEFAULT-VALUE}).")
    long httpIdleTimeoutMs;

    @Option(names = "--tls-cert", paramLabel = "PEM", defaultValue = "${env:FELIX_TLS_CERT}",
            description = "PEM certificate chain; with --tls-key both ports serve TLS only: wss:// and https:// "
                    + "(env FELIX_TLS_CERT).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", defaultValue = "${env:FELIX_TLS_KEY}",
            description = "PEM private key (PKCS#8 or PKCS#1) of --tls-cert (env FELIX_TLS_KEY).")
    Path tlsKey;

    /**
     * The gateway configuration of these options. A value out of its range is blamed on where it
     * came from: a flag is a usage error, a file key or an environment variable is named as such.
     */
    GatewayConfig config() {
        try {
            return build();
        } catch (IllegalArgumentException e) {
            String field = e.getMessage().split(" ", 2)[0];
            String reason = e.getMessage().substring(field.length());
            OptionSpec option = optionOf(field);
            if (option == null) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            boolean flag = spec.commandLine().getParseResult() != null
                    && spec.commandLine().getParseResult().hasMatchedOption(option);
            if (!flag && spec.commandLine().getDefaultValueProvider() instanceof ConfigDefaults defaults) {
                String key = ConfigDefaults.key(option);
                switch (defaults.sourceOf(option)) {
                    case FILE -> throw new ConfigValueException("key '" + key + "' in " + defaults.file() + ":" + reason);
                    case ENV -> throw new ConfigValueException(ConfigDefaults.envName(key) + reason);
                    default -> { }
                }
            }
            throw new ParameterException(spec.commandLine(), option.longestName() + reason);
        }
    }

    /**
     * GatewayConfig names its fields ("wsPort must be 0-65535"); the user knows them as options,
     * which spell the same words with dashes and sometimes a unit ("--ws-port", "--ping-interval-ms"),
     * but for the two below.
     */
    private OptionSpec optionOf(String field) {
        String dashed = OTHER_NAMES.getOrDefault(field,
                "--" + field.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT));
        for (OptionSpec option : spec.options()) {
            if (option.longestName().startsWith(dashed)) {
                return option;
            }
        }
        return null;
    }

    private GatewayConfig build() {
        return store.applyTo(GatewayConfig.builder())
                .host(host)
                .wsPort(wsPort)
                .httpPort(httpPort)
                .pingInterval(Duration.ofMillis(pingIntervalMs))
                .maxMessageBytes(maxMessageBytes)
                .maxListenIds(maxListenIds)
                .maxBodyBytes(maxBodyBytes)
                .publicDailyLimit(publicDailyLimit)
                .statusTtl(Duration.ofMillis(statusTtlMs))
                .maxQueuedBytes(maxQueuedBytes)
                .maxInboundPerSecond(maxMessagesPerSecond)
                .inboundBurst(messageBurst)
                .maxConnectionsPerToken(maxConnectionsPerToken)
                .handshakeTimeout(Duration.ofMillis(handshakeTimeoutMs))
                .httpIdleTimeout(Duration.ofMillis(httpIdleTimeoutMs))
                .tls(tlsCert, tlsKey)
                .build();
    }

    @Override
    public Integer call() throws InterruptedException {
        logs.apply();
        CountDownLatch stop = new CountDownLatch(1);
        // A handled signal, rather than a shutdown hook, lets a SIGTERM end in exit code 0.
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        Gateway gateway = Gateway.start(config());
        mintFirstToken(gateway);
        stop.await();
        log.info("shutting down");
        gateway.close();
        return 0;
    }

    /** A fresh install has no private token: mint one so the socket can be used at all. */
    private static void mintFirstToken(Gateway gateway) {
        Optional<Tokens.Minted> first = Tokens.mintFirstPrivate(gateway.store(), "admin", "first start");
        if (first.isEmpty()) {
            return;
        }
        Tokens.Minted minted = first.get();
        gateway.tokens().reload();
        String rule = "=".repeat(72);
        System.out.println(rule);
        System.out.println("No private token existed, so one was minted (id " + minted.record().id() + ", owner admin).");
        System.out.println("It is shown only this once. Use it in the Authorization header of the WebSocket:");
        System.out.println();
        System.out.println("    " + minted.token());
        System.out.println();
        System.out.println("Mint more with: ./felix token create --private --owner ID");
        System.out.println(rule);
        System.out.flush();
    }
}
