package dev.felix.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.Wire;
import dev.felix.server.config.GatewayConfig;
import dev.felix.server.testing.ServeProcess;
import dev.felix.server.testing.TestCertificate;
import dev.felix.server.testing.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.felix.server.config.Settings.TLS_CERT;
import static dev.felix.server.config.Settings.TLS_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TlsTest {
    @TempDir
    Path dir;
    private Path certPem;
    private Path keyPem;
    private TestGateway gw;
    private HttpClient trusting;
    private SSLContext ssl;

    @BeforeEach
    void start() throws Exception {
        TestCertificate certificate = TestCertificate.create(dir);
        certPem = certificate.certPem;
        keyPem = certificate.keyPem;

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("felix", certificate.certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        trusting = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();

        gw = TestGateway.start(b -> b.set(TLS_CERT, certPem).set(TLS_KEY, keyPem));
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    @Test
    void restIsServedOverHttps() throws Exception {
        HttpResponse<String> put = trusting.send(HttpRequest.newBuilder(https("/api/guilds/10"))
                .header("Authorization", "Bearer " + gw.privateToken)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"secure\":true}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(put.body()).contains("\"secure\":true");
    }

    @Test
    void webSocketIsServedOverWss() throws Exception {
        CompletableFuture<String> first = new CompletableFuture<>();
        WebSocket ws = trusting.newWebSocketBuilder()
                .header("Authorization", gw.privateToken)
                .buildAsync(URI.create("wss://127.0.0.1:" + gw.gateway.wsPort() + "/"), new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            first.complete(text.toString());
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        try {
            ws.sendText("{\"code\":20001}", true).get(10, TimeUnit.SECONDS);
            JsonNode ack = Wire.mapper().readTree(first.get(10, TimeUnit.SECONDS));
            assertThat(ack.path("code").asInt()).isEqualTo(10001);
        } finally {
            ws.abort();
        }
    }

    @Test
    void bothPortsSpeakOnlyForwardSecretAeadSuites() throws Exception {
        for (int port : new int[]{gw.gateway.wsPort(), gw.gateway.httpPort()}) {
            assertThat(handshake(port, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")).isTrue();
            assertThat(handshake(port, "TLSv1.3", "TLS_AES_128_GCM_SHA256")).isTrue();
            for (String weak : List.of("TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
                    "TLS_RSA_WITH_AES_256_GCM_SHA384")) {
                assertThat(handshake(port, "TLSv1.2", weak)).as("%s on %d", weak, port).isFalse();
            }
        }
    }

    /** Whether a TLS handshake with only this version and suite succeeds. */
    private boolean handshake(int port, String protocol, String suite) throws IOException {
        try (SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.setEnabledProtocols(new String[]{protocol});
            socket.setEnabledCipherSuites(new String[]{suite});
            socket.startHandshake();
            return true;
        } catch (SSLException | SocketException refused) {
            return false;
        }
    }

    @Test
    void plainTextIsNotServedOnTlsPorts() {
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gw.gateway.httpPort() + "/api"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> plain.newWebSocketBuilder().header("Authorization", gw.privateToken)
                .buildAsync(URI.create("ws://127.0.0.1:" + gw.gateway.wsPort() + "/"), new WebSocket.Listener() { })
                .get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class);
    }

    @Test
    void serveTakesThePemFilesFromItsOptions() throws Exception {
        try (ServeProcess server = ServeProcess.start(dir.resolve("data"), "--tls-cert", certPem.toString(),
                "--tls-key", keyPem.toString())) {
            HttpResponse<String> api = trusting.send(HttpRequest.newBuilder(
                            URI.create("https://127.0.0.1:" + server.httpPort + "/api"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(api.statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> server.http("GET", "/api", null, null)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aCertificateWithoutItsKeyIsRefused() {
        assertThatThrownBy(() -> GatewayConfig.builder().set(TLS_CERT, certPem).set(TLS_KEY, null).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-key");
        assertThatThrownBy(() -> GatewayConfig.builder().set(TLS_CERT, null).set(TLS_KEY, keyPem).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-cert");
    }

    private URI https(String path) {
        return URI.create("https://127.0.0.1:" + gw.gateway.httpPort() + path);
    }
}
