package dev.felix.server.testing;

import dev.felix.server.Gateway;
import dev.felix.server.config.GatewayConfig;
import dev.felix.server.store.Scope;
import dev.felix.server.store.Tokens;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static dev.felix.server.config.Settings.DATA;
import static dev.felix.server.config.Settings.HOST;
import static dev.felix.server.config.Settings.HTTP_PORT;
import static dev.felix.server.config.Settings.SHUTDOWN_DRAIN;
import static dev.felix.server.config.Settings.TOKEN_POLL_INTERVAL;
import static dev.felix.server.config.Settings.WS_PORT;

/**
 * A real gateway for tests: a fresh SQLite file in a temporary directory, free ports on
 * 127.0.0.1, and one private and one public token minted through the store. Closing it deletes
 * the directory.
 */
public final class TestGateway implements AutoCloseable {

    public final Path dataDir;
    public final Gateway gateway;
    public final String privateToken;
    public final String publicToken;
    private final GatewayConfig config;
    private final Path tempDir;
    private boolean ownsTempDir = true;

    private TestGateway(GatewayConfig config, Path tempDir) {
        this.config = config;
        this.tempDir = tempDir;
        this.dataDir = config.get(DATA);
        this.gateway = Gateway.start(config);
        this.privateToken = mint(Scope.PRIVATE, "test-owner");
        this.publicToken = mint(Scope.PUBLIC, "test-owner");
    }

    public static TestGateway start() {
        return start(b -> b);
    }

    /** Starts with the test defaults (temp dir, free ports, loopback), changed by {@code tweak}. */
    public static TestGateway start(UnaryOperator<GatewayConfig.Builder> tweak) {
        try {
            Path dir = Files.createTempDirectory("felix-test");
            GatewayConfig config = tweak.apply(GatewayConfig.builder()
                    .set(DATA, dir).set(HOST, "127.0.0.1").set(WS_PORT, 0).set(HTTP_PORT, 0)
                    .set(TOKEN_POLL_INTERVAL, Duration.ofMillis(200))
                    // A test closing its gateway has no kept-alive clients to tell; the drain would cost every test a second.
                    .set(SHUTDOWN_DRAIN, Duration.ofMillis(1))).build();
            return new TestGateway(config, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops this gateway and starts a new one on the same configuration and data, as after a
     * process restart (with new ports and tokens). The directory now belongs to the new one.
     */
    public TestGateway restart() {
        return restart(() -> {
        });
    }

    /** As {@link #restart()}, running {@code whileStopped} (say, restoring a backup into the data directory) in between. */
    public TestGateway restart(Runnable whileStopped) {
        gateway.close();
        whileStopped.run();
        ownsTempDir = false;
        return new TestGateway(config, tempDir);
    }

    /** Mints a token straight in the store and makes the gateway see it at once. */
    public String mint(Scope scope, String owner) {
        String token = Tokens.mint(gateway.store(), scope, owner, null).token();
        gateway.tokens().reload();
        return token;
    }

    public URI wsUri() {
        return URI.create("ws://127.0.0.1:" + gateway.wsPort() + "/");
    }

    public String httpBase() {
        return "http://127.0.0.1:" + gateway.httpPort();
    }

    /** A REST call; {@code token} null sends no Authorization, {@code body} null sends none. */
    public HttpResponse<String> http(String method, String path, String token, String body) {
        try {
            return Http.send(method, URI.create(httpBase() + path), token, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public WsTestClient connect() {
        return WsTestClient.connect(wsUri(), privateToken);
    }

    @Override
    public void close() {
        gateway.close();
        if (ownsTempDir) {
            ownsTempDir = false;
            deleteTree(tempDir);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
