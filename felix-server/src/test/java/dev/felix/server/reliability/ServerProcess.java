package dev.felix.server.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * {@code felix serve} as a child JVM on the test classpath, on free loopback ports, so tests can
 * signal and kill it like an operator or the kernel would.
 */
public final class ServerProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public final Process process;
    public final int wsPort;
    public final int httpPort;
    /** Every line the server printed on stdout and stderr. */
    public final List<String> output = new CopyOnWriteArrayList<>();

    private ServerProcess(Process process, int wsPort, int httpPort) {
        this.process = process;
        this.wsPort = wsPort;
        this.httpPort = httpPort;
        Thread reader = new Thread(this::readOutput, "server-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code serve} on {@code dataDir} and waits until both ports are bound. */
    public static ServerProcess start(Path dataDir, String... extraArgs) {
        int wsPort = freePort();
        int httpPort = freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp", System.getProperty("java.class.path"),
                "dev.felix.server.cli.FelixCommand", "serve",
                "--data", dataDir.toString(),
                "--host", "127.0.0.1",
                "--ws-port", String.valueOf(wsPort),
                "--http-port", String.valueOf(httpPort)));
        command.addAll(List.of(extraArgs));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            ServerProcess server = new ServerProcess(p, wsPort, httpPort);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !p.isAlive() || server.answers());
            if (!p.isAlive()) {
                throw new IllegalStateException("server exited with " + p.exitValue() + ": " + server.output);
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The token {@code serve} minted and printed on first start, or null. */
    public String mintedToken() {
        return output.stream().map(String::trim).filter(l -> l.startsWith("fxp_")).findFirst().orElse(null);
    }

    public URI wsUri() {
        return URI.create("ws://127.0.0.1:" + wsPort + "/");
    }

    public HttpResponse<String> http(String method, String path, String token, String body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The REST port is bound last, so a connection to it means both ports are up (with or without TLS). */
    private boolean answers() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", httpPort), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void readOutput() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                output.add(line);
            }
        } catch (IOException ignored) {
            // the process is gone
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the process if a test left it running. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
