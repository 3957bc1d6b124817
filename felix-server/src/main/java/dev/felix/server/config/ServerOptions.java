package dev.felix.server.config;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;

import javax.net.ssl.KeyManagerFactory;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.felix.server.config.Settings.HOST;
import static dev.felix.server.config.Settings.HTTP_IDLE_TIMEOUT;
import static dev.felix.server.config.Settings.HTTP_PORT;
import static dev.felix.server.config.Settings.TLS_CERT;
import static dev.felix.server.config.Settings.TLS_KEY;

/** What both listening sockets share: the bind address and, when configured, TLS. */
public final class ServerOptions {
    /** Room for 1,000 snowflakes in one request line (GET /api/guilds?ids=…, quoted and escaped). */
    public static final int MAX_REQUEST_LINE_BYTES = 64 * 1024;
    public static final int MAX_HEADER_BYTES = 8 * 1024;
    /** TLS versions both ports speak. */
    public static final List<String> TLS_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /**
     * Cipher suites both ports accept: forward-secret AEAD suites only (as current server guides
     * recommend), in IANA names, which the JDK and Netty both take.
     */
    public static final List<String> TLS_CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private ServerOptions() {
    }

    /** Options for the REST port (a Vert.x server): TLS-only when the configuration names a certificate. */
    public static HttpServerOptions rest(GatewayConfig config) {
        HttpServerOptions options = new HttpServerOptions().setHost(config.get(HOST)).setPort(config.get(HTTP_PORT))
                // HTTP/1.1 only: JDK clients, which offer the h2c upgrade on their first request,
                // intermittently lose framing on large responses with cleartext HTTP/2 enabled.
                .setHttp2ClearTextEnabled(false)
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, config.get(HTTP_IDLE_TIMEOUT).toMillis()))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES)
                .setMaxHeaderSize(MAX_HEADER_BYTES);
        if (config.tls()) {
            options.setSsl(true).setKeyCertOptions(pem(config))
                    .setEnabledSecureTransportProtocols(new LinkedHashSet<>(TLS_PROTOCOLS));
            TLS_CIPHERS.forEach(options::addEnabledCipherSuite);
        }
        return options;
    }

    /**
     * The configured certificate and key as key managers, for the WebSocket port, which runs its
     * own Netty pipeline. Read by Vert.x, so both ports accept the same PEM forms (PKCS#1 and #8).
     */
    public static KeyManagerFactory keyManagers(GatewayConfig config, Vertx vertx) throws Exception {
        return pem(config).getKeyManagerFactory(vertx);
    }

    private static PemKeyCertOptions pem(GatewayConfig config) {
        return new PemKeyCertOptions()
                .setCertPath(config.get(TLS_CERT).toAbsolutePath().toString())
                .setKeyPath(config.get(TLS_KEY).toAbsolutePath().toString());
    }
}
