package dev.felix.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The servers a comparison starts: felix from its jar, the Node ws baseline and the Bun/uWebSockets peer. */
final class Servers {
    private Servers() {
    }

    /**
     * A started server: its process, where it listens, the private token it accepts, its log, and
     * its data directory (null for none), deleted once the process has ended.
     */
    record Running(String name, Process process, int wsPort, int httpPort, String token, Path log, Path data)
            implements AutoCloseable {
        String wsUrl() {
            return "ws://127.0.0.1:" + wsPort + "/";
        }

        String httpUrl() {
            return "http://127.0.0.1:" + httpPort;
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            if (data != null && !process.isAlive()) {
                deleteTree(data);
            }
        }
    }

    /** Starts felix on a fresh SQLite directory with a newly minted private token. */
    static Running felix(Path jar, Path work, long pingIntervalMs, List<String> javaOptions) throws IOException {
        Path data = Files.createTempDirectory(work, "felix-data");
        List<String> mint = new ArrayList<>(java(javaOptions));
        mint.addAll(List.of("-jar", jar.toString(), "token", "create", "--private", "--owner", "felix-bench",
                "--data", data.toString()));
        Process p = new ProcessBuilder(mint).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        waitFor(p, "felix token create");
        String token = out.substring(out.lastIndexOf('\n') + 1).strip();
        int ws = freePort();
        int http = freePort();
        List<String> cmd = new ArrayList<>(java(javaOptions));
        cmd.addAll(List.of("-jar", jar.toString(), "serve", "--data", data.toString(), "--host", "127.0.0.1",
                "--ws-port", Integer.toString(ws), "--http-port", Integer.toString(http),
                "--ping-interval-ms", Long.toString(pingIntervalMs),
                // The peers have no abuse limits; lifted here so every server does the same work (the
                // as-fast-as-answered heartbeat run would otherwise hit the inbound rate limit, and a
                // driver slowed by a busy machine the deadline for upgrading).
                "--max-messages-per-second", "1000000", "--message-burst", "1000000",
                "--max-connections-per-token", "1000000", "--handshake-timeout-ms", "600000"));
        Path log = work.resolve("felix.log");
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return awaitPorts(new Running("felix", server, ws, http, token, log, data));
    }

    /** Starts the Node ws baseline with a random private token. */
    static Running nodeWs(Path dir, Path work, long pingIntervalMs) throws IOException {
        String token = randomToken();
        int ws = freePort();
        int http = freePort();
        ProcessBuilder pb = new ProcessBuilder("node", "server.js").directory(dir.toFile());
        pb.environment().put("FELIX_TOKEN", token);
        pb.environment().put("HOST", "127.0.0.1");
        pb.environment().put("WS_PORT", Integer.toString(ws));
        pb.environment().put("HTTP_PORT", Integer.toString(http));
        pb.environment().put("PING_INTERVAL_MS", Long.toString(pingIntervalMs));
        Path log = work.resolve("node-ws.log");
        Process server = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return awaitPorts(new Running("node-ws", server, ws, http, token, log, null));
    }

    /** Starts the Bun/uWebSockets peer on a fresh bun:sqlite directory with a random private token. */
    static Running bunUws(Path dir, Path work, long pingIntervalMs) throws IOException {
        Path data = Files.createTempDirectory(work, "bun-data");
        int ws = freePort();
        int http = freePort();
        ProcessBuilder pb = new ProcessBuilder(dir.resolve("node_modules/.bin/bun").toString(), "server.js")
                .directory(dir.toFile());
        String token = randomToken();
        pb.environment().put("FELIX_TOKEN", token);
        pb.environment().put("HOST", "127.0.0.1");
        pb.environment().put("WS_PORT", Integer.toString(ws));
        pb.environment().put("HTTP_PORT", Integer.toString(http));
        pb.environment().put("PING_INTERVAL_MS", Long.toString(pingIntervalMs));
        pb.environment().put("DATA", data.toString());
        Path log = work.resolve("bun-uws.log");
        Process server = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return awaitPorts(new Running("bun-uws", server, ws, http, token, log, data));
    }

    private static String randomToken() {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        return "bench_" + HexFormat.of().formatHex(random);
    }

    /** {@code npm ci} in a peer's directory. */
    static void npmCi(Path dir) throws IOException {
        Process p = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        waitFor(p, "npm ci in " + dir);
    }

    static String commandOutput(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "unavailable (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unavailable";
        }
    }

    private static List<String> java(List<String> options) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(options);
        return cmd;
    }

    private static void waitFor(Process p, String what) throws IOException {
        try {
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException(what + " failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + " interrupted", e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + root + ": " + e.getMessage());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Running awaitPorts(Running server) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int port : new int[]{server.wsPort(), server.httpPort()}) {
            while (true) {
                if (!server.process().isAlive()) {
                    throw new IOException(server.name() + " exited during start; see " + server.log());
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                    break;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        server.close();
                        throw new IOException(server.name() + " did not listen on " + port + " within 60 s; see "
                                + server.log());
                    }
                    ScenarioCommand.sleep(100);
                }
            }
        }
        return server;
    }
}
